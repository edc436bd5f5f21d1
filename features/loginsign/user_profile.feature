@loginsign @needs-authorization @LS-002 @LS-006 @LS-029
Feature: LoginSign answers the connection's profile for a valid Bearer access token
  The LoginSign API Reference (loginsign.com), "Authentication": "Include the access token in the Authorization
  header: Authorization: Bearer YOUR_ACCESS_TOKEN". "GET /api/user: Get current user": "Returns
  the authenticated connection's profile for this app. The id field is the connection id (per app
  link), not the user's internal database id", answering {"id": "connection_id", "globalId":
  "AB1234", "name", "email", "image"}. "User Identity": "a Global User ID — a short identifier in
  the format XX1234 (2 letters + 4 digits)".

  Interpretations:
  - Every member of the example is required (schema loginsign/user); image is a URI; email is an
    address, or "-" as the developer portal's list allows.
  - "2 letters": ASCII letters of either case; the examples are upper case (schema
    loginsign/global_user_id).
  - The connection id is checked against the developer portal's user list, whose id is the
    connection id: the same entry carries the same Global User ID. That scenario needs the
    developer session (@needs-developer-session, @needs-app-id).
  - The example answer is JSON: its Content-Type is JSON (application/json or a +json type), and
    so is a refusal's ("All errors return JSON").
  - The document does not say what an invalid or expired token gets. RFC 6750 §3.1: 401 with a
    WWW-Authenticate: Bearer challenge (@rfc6750); "All errors return JSON" adds the body.
  - expires_in (3600 in the example) is read as the token's lifetime, taken from the token
    answer; "just before" is 10 seconds before it, a margin for the time a request takes. The
    expiry scenarios move the embedded mock's clock, so there they run alone; against a real
    deployment they run only with `run --lifetimes` (@lifetime) and wait in real time, counted
    from when the token answer arrived.

  Background:
    Given the user has authorized the client
    And the client has exchanged the authorization code for an access token

  @documented @LS-011 @LS-008
  Scenario: The profile matches the documented answer
    When the client requests the userinfo with the access token
    Then the response status is 200
    And the body matches the schema "loginsign/user"

  @documented @LS-013
  Scenario: The profile is JSON by its Content-Type
    When the client requests the userinfo with the access token
    Then the response status is 200
    And the response Content-Type is JSON (LoginSign API Reference, GET /api/user: the example answer is JSON)

  @documented @LS-008
  Scenario: The Global User ID is two letters and four digits
    When the client requests the userinfo with the access token
    Then the value at "/globalId" matches the schema "loginsign/global_user_id"

  @documented @needs-developer-session @needs-app-id @LS-012 @LS-014 @LS-018 @LS-003
  Scenario: The profile's id is the connection id the developer portal lists
    Given the client knows the user's connection from its profile
    When the developer lists the app's users
    Then the list includes the user's connection with the user's Global User ID

  @documented @rfc6750 @LS-052 @LS-038 @LS-040
  Scenario: A token the provider never issued is refused with a Bearer challenge
    When the client requests the userinfo with a token the provider never issued
    Then the response status is 401
    And the response challenges for "Bearer" authentication
    And the body matches the schema "loginsign/error"

  @documented @LS-038
  Scenario: A refused token gets a JSON error by its Content-Type
    When the client requests the userinfo with a token the provider never issued
    Then the response status is 401
    And the response Content-Type is JSON (LoginSign API Reference, Error Responses: "All errors return JSON")

  @documented @rfc6749 @lifetime @LS-031 @LS-038 @LS-040
  Scenario: The access token still works just before expires_in seconds
    Given the access token is 10 seconds short of its expires_in
    When the client requests the userinfo with the access token
    Then the response status is 200

  @documented @rfc6749 @lifetime @LS-031 @LS-038 @LS-040
  Scenario: The access token no longer works after expires_in seconds
    Given the access token's expires_in has passed
    When the client requests the userinfo with the access token
    Then the response status is 401
    And the body matches the schema "loginsign/error"
