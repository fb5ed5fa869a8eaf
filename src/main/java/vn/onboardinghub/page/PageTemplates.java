package vn.onboardinghub.page;

import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.context.ITemplateContext;
import org.thymeleaf.messageresolver.AbstractMessageResolver;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.MessageFormat;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The merchant page's templates ({@code merchant-page/*.html}, Thymeleaf: every value escaped unless a template says
 * otherwise), texts ({@code merchant-page/messages.properties} in Vietnamese, the default, and
 * {@code messages_en.properties}; UTF-8) and style sheet ({@code merchant-page/page.css}, put in the page and allowed
 * by its SHA-256 in the Content-Security-Policy, so the page loads nothing else).
 */
public final class PageTemplates {
    static final String FOLDER = "merchant-page/";
    private final TemplateEngine engine = new TemplateEngine();
    private final String css;
    private final String cssHash;

    public PageTemplates() {
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver(PageTemplates.class.getClassLoader());
        resolver.setPrefix(FOLDER);
        resolver.setSuffix(".html");
        resolver.setTemplateMode(TemplateMode.HTML);
        resolver.setCharacterEncoding("UTF-8");
        resolver.setCacheable(true);
        engine.setTemplateResolver(resolver);
        engine.setMessageResolver(new BundleMessages());
        css = resource(FOLDER + "page.css");
        try {
            cssHash = "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(css.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The template {@code name} filled with {@code variables} (plus {@code css} and {@code lang}) in {@code locale}. */
    public String render(String name, Locale locale, Map<String, Object> variables) {
        Context context = new Context(locale, variables);
        context.setVariable("css", css);
        context.setVariable("lang", locale.getLanguage());
        return engine.process(name, context);
    }

    /** The Content-Security-Policy of every page: nothing but its own style sheet, no script, no frame, no form. */
    public String contentSecurityPolicy() {
        return "default-src 'none'; style-src '" + cssHash + "'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
    }

    private static String resource(String path) {
        try (InputStream in = PageTemplates.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code #{key(args)}} from the page's resource bundle: the locale's own file, else the Vietnamese one. */
    private static final class BundleMessages extends AbstractMessageResolver {
        @Override
        public String resolveMessage(ITemplateContext context, Class<?> origin, String key, Object[] parameters) {
            try {
                String text = ResourceBundle.getBundle("merchant-page.messages", context.getLocale(),
                        PageTemplates.class.getClassLoader(),
                        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES)).getString(key);
                return parameters == null || parameters.length == 0 ? text : new MessageFormat(text, context.getLocale()).format(parameters);
            } catch (MissingResourceException e) {
                return null;
            }
        }

        @Override
        public String createAbsentMessageRepresentation(ITemplateContext context, Class<?> origin, String key, Object[] parameters) {
            throw new IllegalStateException("merchant page text " + key + " is missing");
        }
    }
}
