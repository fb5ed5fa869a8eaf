package vn.onboardinghub.store;

/** No batch with this id is stored ({@code GET /api/v1/batches/{batchId}} answers 404). */
public class BatchNotFoundException extends RuntimeException {
    public BatchNotFoundException(String batchId) {
        super("no batch " + batchId);
    }
}
