@loginsign @needs-app-id @needs-developer-session @needs-authorization @changes-connection @resource-connection @LS-003 @LS-012 @LS-029 @LS-006 @LS-002 @serial
Feature: LoginSign's developer portal updates a user's connection and syncs the user's e-mail
  The LoginSign API Reference (loginsign.com), "PATCH /api/developer/applications/:appId/users/:connectionId:
  Update user connection": "Body: optional isForwarding (boolean) and/or appEmail (string email).
  At least one field is required." "PATCH .../users/:connectionId/email: Sync platform email to
  LoginSign": "Body: { email: "new@example.com" }. Updates the LoginSign primary email for that
  connection's user and invalidates old magic-link tokens."

  The scenarios change the connection of the user the harness signs in, and that user's primary
  e-mail (to a fresh address at example.com): they are tagged @changes-connection, so a run against
  a shared staging user can leave them out (--tags "not @changes-connection").
  They declare the connection as a shared resource (@resource-connection), and they run alone and
  in this order (@serial): an answer shows the appEmail an earlier update stored (null before
  any), so run concurrently or in another order, the shape of the answers would depend on which
  update came first.

  Interpretations:
  - The bodies are JSON. The document names no answer and no status: an update succeeds with 200
    or 204; a body the document does not allow is refused with 400 (RFC 9110 §15.5.1) as JSON
    {error, error_description} ("All errors return JSON"). Which error code is not checked: the
    document lists codes for the OAuth errors only.
  - isForwarding must be a JSON boolean, appEmail and email a string holding an e-mail address.
  - Neither the new primary e-mail nor the old magic-link tokens show in any documented route:
    no scenario checks that they changed.

  Background:
    Given the user has authorized the client
    And the client has exchanged the authorization code for an access token
    And the client knows the user's connection from its profile

  @documented @LS-020
  Scenario: isForwarding alone updates the connection
    When the developer updates the user's connection with {"isForwarding": true}
    Then the response status is 200 or 204

  @documented @LS-020
  Scenario: appEmail alone updates the connection
    When the developer updates the user's connection with {"appEmail": "conformance@example.com"}
    Then the response status is 200 or 204

  @documented @LS-020
  Scenario: isForwarding and appEmail together update the connection
    When the developer updates the user's connection with {"isForwarding": false, "appEmail": "conformance@example.com"}
    Then the response status is 200 or 204

  @documented @rfc9110 @LS-021 @LS-038 @LS-040
  Scenario: An update without any field is refused
    When the developer updates the user's connection with {}
    Then the response status is 400
    And the body matches the schema "loginsign/error"

  @documented @rfc9110 @interpretation @LS-020 @LS-038 @LS-040
  Scenario: An isForwarding that is not a boolean is refused
    When the developer updates the user's connection with {"isForwarding": "yes"}
    Then the response status is 400
    And the body matches the schema "loginsign/error"

  @documented @rfc9110 @interpretation @LS-020 @LS-038 @LS-040
  Scenario: An appEmail that is not an e-mail address is refused
    When the developer updates the user's connection with {"appEmail": "not-an-email"}
    Then the response status is 400
    And the body matches the schema "loginsign/error"

  @documented @LS-022
  Scenario: The user's platform e-mail is synced to LoginSign
    When the developer syncs the user's platform e-mail to a fresh address
    Then the response status is 200 or 204

  @documented @rfc9110 @interpretation @LS-022 @LS-038 @LS-040
  Scenario: An e-mail sync without email is refused
    When the developer syncs the user's platform e-mail with {}
    Then the response status is 400
    And the body matches the schema "loginsign/error"

  @documented @rfc9110 @interpretation @LS-022 @LS-038 @LS-040
  Scenario: An e-mail sync with something that is not an e-mail address is refused
    When the developer syncs the user's platform e-mail with {"email": "not-an-email"}
    Then the response status is 400
    And the body matches the schema "loginsign/error"
