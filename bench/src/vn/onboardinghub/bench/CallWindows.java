package vn.onboardinghub.bench;

/** What a provider saw of a rate limit: the achieved rate and the most calls in any one-second window. */
record CallWindows(long calls, double ratePerSecond, int maxInOneSecond) {

    /**
     * {@code times}: sorted arrival times in ms. A window is [t, t + 1000 ms) starting at any call. The rate is N ÷ the
     * mean time that N consecutive calls took (from each call to the N-th after it), N being the {@code limit}: a limit
     * lets N calls through at once when it starts, and calls over a few seconds span one second fewer than they fill,
     * so calls ÷ elapsed time would count that first burst as a rate.
     */
    static CallWindows of(long[] times, int limit) {
        if (times.length < 2) {
            return new CallWindows(times.length, 0, times.length);
        }
        int max = 0;
        int start = 0;
        for (int end = 0; end < times.length; end++) {
            while (times[end] - times[start] >= 1000) {
                start++;
            }
            max = Math.max(max, end - start + 1);
        }
        double rate;
        if (times.length > limit) {
            double spans = 0;
            for (int i = 0; i + limit < times.length; i++) {
                spans += times[i + limit] - times[i];
            }
            rate = limit / (spans / (times.length - limit) / 1000.0);
        } else {
            // n calls span n - 1 intervals
            rate = (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000.0);
        }
        return new CallWindows(times.length, rate, max);
    }
}
