package vn.onboardinghub.channels.file;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** CSV injection: a cell that a spreadsheet would run as a formula starts with ' instead; any other is unchanged. */
class SpreadsheetCellsTest {
    @Test
    void aCellStartingLikeAFormulaIsMadeText() {
        assertThat(SpreadsheetCells.inert("=HYPERLINK(\"http://x\",\"y\")")).isEqualTo("'=HYPERLINK(\"http://x\",\"y\")");
        assertThat(SpreadsheetCells.inert("+84912345678")).isEqualTo("'+84912345678");
        assertThat(SpreadsheetCells.inert("-2+3+cmd|' /C calc'!A0")).isEqualTo("'-2+3+cmd|' /C calc'!A0");
        assertThat(SpreadsheetCells.inert("@SUM(1+1)")).isEqualTo("'@SUM(1+1)");
        assertThat(SpreadsheetCells.inert("\t=1+1")).isEqualTo("'\t=1+1");
        assertThat(SpreadsheetCells.inert("\r=1+1")).isEqualTo("'\r=1+1");
    }

    @Test
    void anyOtherCellIsUnchanged() {
        assertThat(SpreadsheetCells.inert("Nguyễn Văn A")).isEqualTo("Nguyễn Văn A");
        assertThat(SpreadsheetCells.inert("0912345678")).as("a phone in its national form").isEqualTo("0912345678");
        assertThat(SpreadsheetCells.inert("Shop = best")).as("a formula sign later in the text").isEqualTo("Shop = best");
        assertThat(SpreadsheetCells.inert("'quoted")).isEqualTo("'quoted");
        assertThat(SpreadsheetCells.inert(" =1+1")).as("a space first: text to spreadsheets").isEqualTo(" =1+1");
        assertThat(SpreadsheetCells.inert("")).isEmpty();
        assertThat(SpreadsheetCells.inert(null)).isEmpty();
    }
}
