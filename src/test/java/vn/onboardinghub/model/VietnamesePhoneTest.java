package vn.onboardinghub.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class VietnamesePhoneTest {

    @ParameterizedTest
    @CsvSource({
            "0912 345 678, 0912345678",
            "0912.345.678, 0912345678",
            "0912-345-678, 0912345678",
            "84912345678, 0912345678",
            "+84 912 345 678, 0912345678",
            "02838 123 456, 02838123456"})
    void acceptedFormsBecomeTheNationalForm(String raw, String national) {
        assertThat(VietnamesePhone.national(raw)).hasValue(national);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "12345", "091234567", "091234567890", "+1 415 555 0100", "09123x5678", "0912/345/678"})
    void otherInputIsRefused(String raw) {
        assertThat(VietnamesePhone.national(raw)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"0912345678, 84912345678", "02838123456, 842838123456"})
    void ahamoveGetsTheInternationalForm(String national, String international) {
        assertThat(VietnamesePhone.international(national)).isEqualTo(international);
    }
}
