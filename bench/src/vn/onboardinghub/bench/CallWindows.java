package vn.onboardinghub.bench;

/** What a provider saw of a rate limit: the achieved rate and the most calls in any one-second window. */
record CallWindows(long calls, double ratePerSecond, int maxInOneSecond) {

    /** {@code times}: sorted arrival times in ms. A window is [t, t + 1000 ms) starting at any call. */
    static CallWindows of(long[] times) {
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
        // n calls span n - 1 intervals
        double rate = (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000.0);
        return new CallWindows(times.length, rate, max);
    }
}
