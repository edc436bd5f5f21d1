@loginsign @needs-authorization @LS-047 @LS-006 @LS-029
Feature: LoginSign authorization codes can be exchanged only once
  The LoginSign API Reference (loginsign.com), "Error Responses": "invalid_grant: code invalid, expired, reused, or
  redirect URI mismatch between authorize and token requests". A code exchanged a second time is
  a reused code. The document names no status; RFC 6749 §5.2 pairs invalid_grant with 400.

  @documented @rfc6749 @LS-038 @LS-040
  Scenario: A code exchanged a second time is refused with invalid_grant
    Given the user has authorized the client
    When the client exchanges the authorization code a second time
    Then the provider refuses it with status 400 and error "invalid_grant"
    And the body matches the schema "loginsign/error"
