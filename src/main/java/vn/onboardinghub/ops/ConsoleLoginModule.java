package vn.onboardinghub.ops;

import vn.onboardinghub.StartRefusedException;

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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JAAS login module behind the Hawtio console's login page: it checks the user name and password against
 * {@code hub.hawtio.users}, held in memory only, so no password file is ever written to disk (which a
 * file-based module such as Jetty's {@code PropertyFileLoginModule} would need). A user who logs in gets the
 * {@link Role} {@value HawtioConsole#ROLE} that Hawtio is configured to require (whether it may also start and stop
 * routes is {@link ConsolePolicy}'s decision, by its {@link UserPrincipal}). Failed logins are throttled per client
 * address and user name ({@link Throttle}).
 */
public final class ConsoleLoginModule implements LoginModule {
    /** JAAS option holding the {@link Users}. */
    static final String USERS_OPTION = "users";
    /** JAAS option holding the {@link Throttle}. */
    static final String THROTTLE_OPTION = "throttle";
    /** The address of the client of the request being served ({@link ConsoleRequestGuard} sets it). */
    static final ThreadLocal<String> CLIENT_ADDRESS = new ThreadLocal<>();

    private Subject subject;
    private CallbackHandler callbackHandler;
    private Users users;
    private Throttle throttle;
    private String authenticatedUser;
    private List<Principal> principals = List.of();

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState, Map<String, ?> options) {
        this.subject = subject;
        this.callbackHandler = callbackHandler;
        this.users = (Users) options.get(USERS_OPTION);
        this.throttle = (Throttle) options.get(THROTTLE_OPTION);
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
        String address = CLIENT_ADDRESS.get();
        try {
            if (throttle == null || users == null || name.getName() == null || given == null) {
                throw new FailedLoginException("wrong user name or password");
            }
            // a locked pair is refused without looking at the password: guessing on teaches nothing
            if (!throttle.mayTry(address, name.getName())) {
                throw new FailedLoginException("too many failed logins for this user from this address; try later");
            }
            if (!users.matches(name.getName(), given)) {
                throttle.failed(address, name.getName());
                throw new FailedLoginException("wrong user name or password");
            }
            throttle.succeeded(address, name.getName());
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
        principals = List.of(new UserPrincipal(authenticatedUser), new Role(HawtioConsole.ROLE));
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

    /**
     * The logged-in user. Hawtio knows a user name by its principal's class name ({@code UserPrincipal}): it
     * keeps its permission answers per user name, so this name matters (another would share them between users).
     */
    public record UserPrincipal(String name) implements Principal {
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
     * Failed logins counted per client address and user name, so that someone guessing a password from one
     * address never locks the user out from another (which a count per user name, Hawtio's own, does). After
     * {@value #FREE_FAILURES} failures in a row the pair is refused for a minute, twice as long after each
     * further failure, up to {@value #MAX_LOCK_MINUTES} minutes; a successful login clears the count.
     */
    static final class Throttle {
        static final int FREE_FAILURES = 5;
        static final int MAX_LOCK_MINUTES = 15;
        /** Beyond this many pairs, those not locked are forgotten (a flood of addresses cannot fill the memory). */
        private static final int MAX_PAIRS = 10_000;
        private final Map<String, Failures> failures = new ConcurrentHashMap<>();
        private final LongSupplier clock;

        Throttle(LongSupplier nanoClock) {
            this.clock = nanoClock;
        }

        private record Failures(int count, long lastNanos) {
            long lockedUntil() {
                if (count < FREE_FAILURES) {
                    return lastNanos;
                }
                long minutes = Math.min(MAX_LOCK_MINUTES, 1L << Math.min(count - FREE_FAILURES, 10));
                return lastNanos + TimeUnit.MINUTES.toNanos(minutes);
            }
        }

        boolean mayTry(String address, String user) {
            Failures pair = failures.get(key(address, user));
            return pair == null || pair.count() < FREE_FAILURES || clock.getAsLong() - pair.lockedUntil() >= 0;
        }

        void failed(String address, String user) {
            long now = clock.getAsLong();
            if (failures.size() >= MAX_PAIRS) {
                failures.values().removeIf(pair -> now - pair.lockedUntil() >= 0);
            }
            failures.merge(key(address, user), new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
        }

        void succeeded(String address, String user) {
            failures.remove(key(address, user));
        }

        private static String key(String address, String user) {
            return (address == null ? "" : address) + "\n" + user;
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
                    throw new StartRefusedException("hub.hawtio.users: every entry must be user:password"
                            + " (a user name and a non-empty password, or sha256:<64 hex digits> of it), separated by commas");
                }
                Matcher hashed = HASHED.matcher(password);
                if (!hashed.matches() && password.regionMatches(true, 0, "sha256:", 0, 7)) {
                    // a hash recipe that printed nothing (user:sha256:) would otherwise be a password anyone can guess
                    throw new StartRefusedException("hub.hawtio.users: the password of " + user
                            + " starts with sha256: but is not sha256:<64 hex digits>");
                }
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
