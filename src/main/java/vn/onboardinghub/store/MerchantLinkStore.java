package vn.onboardinghub.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** Merchant links (table {@code merchant_link}): which onboarding a link names, until when, and whether it was revoked. */
public class MerchantLinkStore {
    private final DataSource dataSource;

    public MerchantLinkStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records a new link for the onboarding and revokes its earlier ones, in one transaction. */
    public void replace(String onboardingId, String linkId, Instant expiresAt) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement revoke = c.prepareStatement(
                    "UPDATE merchant_link SET revoked_at = ? WHERE onboarding_id = ? AND revoked_at IS NULL");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO merchant_link (link_id, onboarding_id,"
                         + " created_at, expires_at) VALUES (?, ?, ?, ?)")) {
                revoke.setTimestamp(1, Timestamp.from(now));
                revoke.setString(2, onboardingId);
                revoke.executeUpdate();
                insert.setString(1, linkId);
                insert.setString(2, onboardingId);
                insert.setTimestamp(3, Timestamp.from(now));
                insert.setTimestamp(4, Timestamp.from(expiresAt));
                insert.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot record a merchant link of onboarding " + onboardingId, e);
        }
    }

    /** Revokes every link of the onboarding. */
    public void revokeAll(String onboardingId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement revoke = c.prepareStatement(
                     "UPDATE merchant_link SET revoked_at = ? WHERE onboarding_id = ? AND revoked_at IS NULL")) {
            revoke.setTimestamp(1, Timestamp.from(Instant.now()));
            revoke.setString(2, onboardingId);
            revoke.executeUpdate();
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot revoke the merchant links of onboarding " + onboardingId, e);
        }
    }

    /** The onboarding a link names, when the link is neither revoked nor expired at {@code now}. */
    public Optional<String> onboardingOf(String linkId, Instant now) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT onboarding_id FROM merchant_link"
                     + " WHERE link_id = ? AND revoked_at IS NULL AND expires_at > ?")) {
            select.setString(1, linkId);
            select.setTimestamp(2, Timestamp.from(now));
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot read a merchant link", e);
        }
    }

}
