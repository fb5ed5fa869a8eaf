package vn.onboardinghub.ops;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JAAS login module behind the Hawtio console's login page: it checks the user name and password against
 * {@code hub.hawtio.users}, held in memory only, so no password file is ever written to disk (which a
 * file-based module such as Jetty's {@code PropertyFileLoginModule} would need). A user who logs in gets the
 * {@link Role} {@value HawtioConsole#ROLE} that Hawtio is configured to require.
 */
public final class ConsoleLoginModule implements LoginModule {
    /** JAAS option holding the {@link Users}. */
    static final String USERS_OPTION = "users";

    private Subject subject;
    private CallbackHandler callbackHandler;
    private Users users;
    private String authenticatedUser;
    private List<Principal> principals = List.of();

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState, Map<String, ?> options) {
        this.subject = subject;
        this.callbackHandler = callbackHandler;
        this.users = (Users) options.get(USERS_OPTION);
    }

    @Override
    public boolean login() throws LoginException {
        NameCallback name = new NameCallback("user");
        PasswordCallback password = new PasswordCallback("password", false);
        try {
            callbackHandler.handle(new Callback[] {name, password});
        } catch (IOException | UnsupportedCallbackException e) {
            throw new LoginException("cannot read the user name and password: " + e.getMessage());
        }
        char[] given = password.getPassword();
        try {
            if (users == null || name.getName() == null || given == null || !users.matches(name.getName(), given)) {
                throw new FailedLoginException("wrong user name or password");
            }
        } finally {
            password.clearPassword();
        }
        authenticatedUser = name.getName();
        return true;
    }

    @Override
    public boolean commit() {
        if (authenticatedUser == null) {
            return false;
        }
        principals = List.of(new User(authenticatedUser), new Role(HawtioConsole.ROLE));
        subject.getPrincipals().addAll(principals);
        return true;
    }

    @Override
    public boolean abort() {
        return logout();
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().removeAll(principals);
        principals = List.of();
        authenticatedUser = null;
        return true;
    }

    /** The logged-in user. */
    public record User(String name) implements Principal {
        @Override
        public String getName() {
            return name;
        }
    }

    /** A role of the logged-in user; Hawtio finds it by this class name ({@code hawtio.rolePrincipalClasses}). */
    public record Role(String name) implements Principal {
        @Override
        public String getName() {
            return name;
        }
    }

    /**
     * The configured console users: {@code user:password} pairs separated by commas, where the password may be
     * given hashed as {@code sha256:<64 hex digits>} (the SHA-256 of its UTF-8 bytes), so that no file or
     * environment needs to hold it in plaintext. Only SHA-256 digests are kept, compared in constant time.
     */
    public static final class Users {
        private static final Pattern HASHED = Pattern.compile("sha256:(\\p{XDigit}{64})");
        private final Map<String, byte[]> digests;

        private Users(Map<String, byte[]> digests) {
            this.digests = digests;
        }

        /** Parses {@code hub.hawtio.users}; the message of a refusal never repeats the value (it holds passwords). */
        public static Users parse(String spec) {
            Map<String, byte[]> digests = new LinkedHashMap<>();
            for (String entry : spec.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                int colon = entry.indexOf(':');
                String user = colon < 0 ? "" : entry.substring(0, colon).strip();
                String password = colon < 0 ? "" : entry.substring(colon + 1).strip();
                if (user.isEmpty() || password.isEmpty()) {
                    throw new IllegalStateException("hub.hawtio.users: every entry must be user:password"
                            + " (a user name and a non-empty password, or sha256:<64 hex digits> of it), separated by commas");
                }
                Matcher hashed = HASHED.matcher(password);
                digests.put(user, hashed.matches() ? HexFormat.of().parseHex(hashed.group(1)) : digest(password.toCharArray()));
            }
            return new Users(digests);
        }

        public boolean isEmpty() {
            return digests.isEmpty();
        }

        public Set<String> names() {
            return digests.keySet();
        }

        boolean matches(String user, char[] password) {
            byte[] expected = digests.get(user);
            byte[] given = digest(password);
            // compare even for an unknown user, so the answer takes as long either way
            return MessageDigest.isEqual(expected != null ? expected : new byte[given.length], given) && expected != null;
        }

        private static byte[] digest(char[] password) {
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
            try {
                return MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(bytes.array(), bytes.limit()));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
            }
        }
    }
}
