@loginsign @needs-app-id @needs-developer-session @needs-authorization @changes-connection @resource-connection @serial @LS-025 @LS-003 @LS-012 @LS-029 @LS-006 @LS-002
Feature: Deleting a connection in LoginSign's developer portal removes it and sends user_account_deleted
  The LoginSign API Reference (loginsign.com), "DELETE /api/developer/applications/:appId/users/:connectionId:
  Delete user connection (account closure)": "Permanently removes the connection. Webhook
  user_account_deleted is sent. See Account closure."

  The harness runs a webhook receiver: for the embedded mock, which delivers to it; against a real
  deployment, on the target file's webhook_listen address, to which the deployment's webhook
  setting must lead (@needs-webhook-receiver). It waits up to 30 seconds for a real delivery.

  Each scenario deletes the connection of the user the harness signs in (@changes-connection);
  they run alone (@serial), so no other scenario loses its connection meanwhile. The next
  authorization connects the user again.

  Interpretations and assumptions (the "Account closure" section is not part of the document):
  - A deletion succeeds with 200, 202 or 204 (RFC 9110 §9.3.5; the document names no status).
  - The webhook is a JSON POST (assumed). It is the deletion's if some string in it is
    "user_account_deleted" and some string in it is the connection id or the user's Global User
    ID: the document names the event, not its fields. Where the payload carries globalId, that is
    a Global User ID (schema loginsign/webhook_user_account_deleted requires nothing else).
  - "Permanently removes the connection": the portal no longer lists it, and GET /api/user
    refuses the connection's access token with 401 (it "Returns the authenticated connection's
    profile", and there is none left).

  Background:
    Given the user has authorized the client
    And the client has exchanged the authorization code for an access token
    And the client knows the user's connection from its profile

  @documented
  Scenario: A deleted connection is no longer listed
    When the developer deletes the user's connection
    Then the response status is 200, 202 or 204
    And the developer portal no longer lists the user's connection

  @documented @needs-webhook-receiver @LS-026 @LS-008
  Scenario: Deleting a connection sends the user_account_deleted webhook
    When the developer deletes the user's connection
    Then the response status is 200, 202 or 204
    And the webhook receiver gets "user_account_deleted" for the user's connection
    And the webhook payload matches the schema "loginsign/webhook_user_account_deleted"

  @interpretation @LS-038 @LS-040
  Scenario: A deleted connection's access token no longer reads a profile
    When the developer deletes the user's connection
    And the client requests the userinfo with the access token
    Then the response status is 401
    And the body matches the schema "loginsign/error"
