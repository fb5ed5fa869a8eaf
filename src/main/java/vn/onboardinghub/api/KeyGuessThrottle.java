package vn.onboardinghub.api;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down key guessing: a client address whose keys were refused {@code limit} times within a minute gets 429
 * for every request until that minute is over. Refusals are logged with the address (never the key), at most twice
 * per address and minute: the first refusal, and the moment the address is throttled.
 */
public class KeyGuessThrottle {
    private static final Logger LOG = LoggerFactory.getLogger(KeyGuessThrottle.class);
    /** Addresses remembered at most (the least recently seen are forgotten), so a flood of addresses costs bounded memory. */
    private static final int MAX_ADDRESSES = 10_000;
    private final RateLimiterConfig config;
    private final int limit;
    private final Map<String, AtomicRateLimiter> byAddress = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AtomicRateLimiter> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    public KeyGuessThrottle(int refusalsPerMinute) {
        this.limit = refusalsPerMinute;
        this.config = RateLimiterConfig.custom().limitForPeriod(Math.max(1, refusalsPerMinute))
                .limitRefreshPeriod(Duration.ofMinutes(1)).timeoutDuration(Duration.ZERO).build();
    }

    /** How long this address must wait, when it is throttled. */
    public Optional<Duration> throttled(String address) {
        AtomicRateLimiter limiter = limiter(address, false);
        if (limit <= 0 || limiter == null || limiter.getMetrics().getAvailablePermissions() > 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(limiter.getDetailedMetrics().getNanosToWait()));
    }

    /** Counts a refused key from this address. */
    public void refused(String address, String method, String path) {
        if (limit <= 0) {
            LOG.warn("API key refused: {} {} from {}", method, path, address);
            return;
        }
        AtomicRateLimiter limiter = limiter(address, true);
        limiter.acquirePermission();
        int left = limiter.getMetrics().getAvailablePermissions();
        if (left == limit - 1) {
            LOG.warn("API key refused: {} {} from {}", method, path, address);
        } else if (left == 0) {
            LOG.warn("{} API keys refused from {} within a minute: its requests get 429 until the minute is over", limit, address);
        }
    }

    private synchronized AtomicRateLimiter limiter(String address, boolean create) {
        AtomicRateLimiter limiter = byAddress.get(address);
        if (limiter == null && create) {
            limiter = (AtomicRateLimiter) RateLimiter.of("key-guess", config);
            byAddress.put(address, limiter);
        }
        return limiter;
    }
}
