package vn.onboardinghub.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.model.MerchantLink;
import vn.onboardinghub.store.MerchantLinkStore;
import vn.onboardinghub.store.OnboardingStore;
import vn.onboardinghub.store.ResultCipher;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** Merchant link tokens: what is accepted (the exact text issued, while current) and what is not. */
class MerchantLinksTest {
    static final Duration TTL = Duration.ofHours(168);
    HikariDataSource dataSource;
    OnboardingStore store;
    MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    MerchantLinks links;

    @BeforeEach
    void store() throws Exception {
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl("jdbc:h2:file:" + Files.createTempDirectory("links").resolve("hub"));
        store = new OnboardingStore(dataSource, new ObjectMapper(), new ResultCipher(new byte[32]));
        store.migrate();
        links = new MerchantLinks("a-callback-secret-of-at-least-32-bytes".getBytes(), "https://hub.example.vn/",
                TTL, new MerchantLinkStore(dataSource), store, clock);
    }

    @AfterEach
    void close() {
        store.close();
        dataSource.close();
    }

    @Test
    void aLinkIsTheHubsUrlWithA45CharacterTokenThatNamesItsOnboardingUntilItExpires() {
        MerchantLink link = links.issue("onboarding-1");

        assertThat(link.url()).matches("https://hub\\.example\\.vn/m/[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{22}");
        assertThat(link.expiresAt()).isEqualTo("2026-12-10T10:00:00Z");
        assertThat(links.onboardingOf(token(link))).contains("onboarding-1");
        clock.now = Instant.parse("2026-12-10T09:59:59Z");
        assertThat(links.onboardingOf(token(link))).contains("onboarding-1");
        clock.now = Instant.parse("2026-12-10T10:00:00Z");
        assertThat(links.onboardingOf(token(link))).isEmpty();
    }

    @Test
    void aTamperedTokenNamesNothing() {
        String token = token(links.issue("onboarding-1"));

        assertThat(links.onboardingOf(flip(token, 3))).isEmpty();
        assertThat(links.onboardingOf(flip(token, 30))).isEmpty();
        assertThat(links.onboardingOf(token.substring(0, 23) + token.substring(0, 22))).isEmpty();
        assertThat(links.onboardingOf(token + "=")).isEmpty();
        assertThat(links.onboardingOf(token.replace('.', '~'))).isEmpty();
        assertThat(links.onboardingOf("")).isEmpty();
        assertThat(links.onboardingOf(null)).isEmpty();
    }

    @Test
    void theSameBytesWrittenOtherwiseAreRefused() {
        String token = token(links.issue("onboarding-1"));
        // 16 bytes in 22 base64url characters leave 4 unused bits in the last one: another character there decodes
        // to the same bytes
        String id = token.substring(0, 22);
        String reencoded = null;
        for (char c : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray()) {
            String other = id.substring(0, 21) + c;
            if (c != id.charAt(21) && java.util.Arrays.equals(Base64.getUrlDecoder().decode(other), Base64.getUrlDecoder().decode(id))) {
                reencoded = other + token.substring(22);
                break;
            }
        }
        assertThat(reencoded).isNotNull();

        assertThat(links.onboardingOf(reencoded)).isEmpty();
        assertThat(links.onboardingOf(token)).contains("onboarding-1");
    }

    @Test
    void aNewLinkRevokesTheEarlierOnesAndRevokingEndsAll() {
        String first = token(links.issue("onboarding-1"));
        String second = token(links.issue("onboarding-1"));
        String other = token(links.issue("onboarding-2"));

        assertThat(links.onboardingOf(first)).isEmpty();
        assertThat(links.onboardingOf(second)).contains("onboarding-1");

        new MerchantLinkStore(dataSource).revokeAll("onboarding-1");
        assertThat(links.onboardingOf(second)).isEmpty();
        assertThat(links.onboardingOf(other)).contains("onboarding-2");
    }

    @Test
    void anotherSecretSignsOtherTokens() throws Exception {
        String token = token(links.issue("onboarding-1"));
        MerchantLinks otherHub = new MerchantLinks("another-callback-secret-of-32-bytes-or-more".getBytes(),
                "https://hub.example.vn", TTL, new MerchantLinkStore(dataSource), null, clock);

        assertThat(otherHub.onboardingOf(token)).isEmpty();
    }

    static String token(MerchantLink link) {
        return link.url().substring(link.url().indexOf("/m/") + 3);
    }

    private static String flip(String token, int at) {
        char c = token.charAt(at);
        return token.substring(0, at) + (c == 'A' ? 'B' : 'A') + token.substring(at + 1);
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
