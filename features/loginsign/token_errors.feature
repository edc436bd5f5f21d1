@loginsign @needs-authorization @LS-006 @LS-029
Feature: LoginSign refuses token requests with the documented errors, as JSON
  The LoginSign API Reference (loginsign.com), "Error Responses": "All errors return JSON", shown as
  {"error": "invalid_grant", "error_description": "The authorization code has expired"};
  "invalid_client: wrong client_id/client_secret or unauthorized redirect URI for this app";
  "invalid_grant: code invalid, expired, reused, or redirect URI mismatch between authorize and
  token requests"; "invalid_request: missing required parameters (grant_type, code, redirect_uri,
  credentials)". "POST /oauth/token": "redirect_uri must match the authorize request value".

  The document itself names no HTTP status for any error. The scenarios check the statuses RFC
  6749 §5.2 pairs with each error (tagged @rfc6749): 400 for invalid_request, invalid_grant and
  unsupported_grant_type; invalid_client 400 or 401, and 401 with a WWW-Authenticate challenge
  when the client authenticated with HTTP Basic. Every error body must carry error and
  error_description (schema loginsign/error).

  Interpretations:
  - A token request naming a redirect URI the app never registered is both an "unauthorized
    redirect URI" (invalid_client) and a "redirect URI mismatch" (invalid_grant): either passes.
  - A request without any client credentials: the document lists credentials among the missing
    parameters of invalid_request, and RFC 6749 §5.2 names invalid_client for a request that
    includes no client authentication. Both readings are accepted: invalid_request with 400, or
    invalid_client with 400 or 401. A request with client_id but no client_secret likewise.
  - The registered redirect URI with a suffix is another redirect URI (RFC 6749 §3.1.2.3 and
    §4.1.3 compare them as strings): invalid_grant or invalid_client, as for any other URI.
  - "All errors return JSON": an error's Content-Type is application/json (RFC 6749 §5.2).
  - "code invalid" includes a code issued to another client (RFC 6749 §4.1.3, §5.2
    invalid_grant: "issued to another client"). A client the provider does not know is refused
    before any code is looked at, so the telling case authenticates as a second registered
    client (second_client_id and second_client_secret_env in the target file; skipped without).
  - Another grant type gets RFC 6749's unsupported_grant_type; the document lists no such error.
  - The document gives no code lifetime; code_expires.feature checks expiry on the mock's clock.

  Background:
    Given the user has authorized the client

  @documented @rfc6749 @LS-041 @LS-038 @LS-040
  Scenario: A wrong client secret in the form is refused with invalid_client
    When the client exchanges the authorization code with a wrong client secret
    Then the provider refuses it with status 400 or 401 and error "invalid_client"
    And the body matches the schema "loginsign/error"

  @documented @rfc6749 @LS-041 @LS-042 @LS-038 @LS-040
  Scenario: A wrong client secret in HTTP Basic is refused with 401 invalid_client and a challenge
    When the client exchanges the authorization code with a wrong client secret in HTTP Basic
    Then the provider refuses it with status 401 and error "invalid_client"
    And the response challenges for "Basic" authentication
    And the body matches the schema "loginsign/error"

  @documented @rfc6749 @LS-041 @LS-038 @LS-040
  Scenario: A wrong client_id is refused with invalid_client
    When the client exchanges the authorization code with a client id the provider does not know
    Then the provider refuses it with status 400 or 401 and error "invalid_client"
    And the body matches the schema "loginsign/error"

  @documented @rfc6749 @LS-045 @LS-038 @LS-040
  Scenario: A code the provider never issued is refused with invalid_grant
    When the client exchanges a code the provider never issued
    Then the provider refuses it with status 400 and error "invalid_grant"
    And the body matches the schema "loginsign/error"

  @documented @rfc6749 @interpretation @LS-034 @LS-048 @LS-043 @LS-038 @LS-040
  Scenario: A redirect URI other than the authorize request's is refused
    When the client exchanges the authorization code with a redirect URI other than the one used
    Then the provider refuses it with one of
      | status     | error          |
      | 400        | invalid_grant  |
      | 400 or 401 | invalid_client |
    And the body matches the schema "loginsign/error"

  @documented @rfc6749 @LS-049 @LS-038 @LS-040
  Scenario Outline: A token request without <field> is refused with invalid_request
    When the client exchanges the authorization code without the "<field>" field
    Then the provider refuses it with status 400 and error "invalid_request"
    And the body matches the schema "loginsign/error"

    Examples:
      | field        |
      | grant_type   |
      | code         |
      | redirect_uri |

  @documented @rfc6749 @interpretation @LS-049 @LS-038 @LS-040
  Scenario: A token request without client credentials is refused with invalid_request or invalid_client
    When the client exchanges the authorization code without client credentials
    Then the provider refuses it with one of
      | status     | error           |
      | 400        | invalid_request |
      | 400 or 401 | invalid_client  |
    And the body matches the schema "loginsign/error"

  @documented @rfc6749 @LS-034 @LS-048 @LS-038 @LS-040
  Scenario: The registered redirect URI with a suffix is refused at the token endpoint
    When the client exchanges the authorization code with the redirect URI used with a suffix
    Then the provider refuses it with one of
      | status     | error          |
      | 400        | invalid_grant  |
      | 400 or 401 | invalid_client |
    And the body matches the schema "loginsign/error"

  @documented @rfc6749 @LS-038 @LS-045
  Scenario: A token error is JSON by its Content-Type
    When the client exchanges a code the provider never issued
    Then the provider refuses it with status 400 and error "invalid_grant"
    And the response Content-Type is "application/json" (RFC 6749 §5.2; LoginSign API Reference, Error Responses: "All errors return JSON")

  @documented @rfc6749 @interpretation @LS-049 @LS-041 @LS-038 @LS-040
  Scenario: A token request without client_secret is refused
    When the client exchanges the authorization code without the "client_secret" field
    Then the provider refuses it with one of
      | status     | error           |
      | 400        | invalid_request |
      | 400 or 401 | invalid_client  |
    And the body matches the schema "loginsign/error"

  @rfc6749 @LS-051 @LS-038 @LS-040
  Scenario: Another grant type is refused with unsupported_grant_type
    When the client exchanges the authorization code with grant_type "password"
    Then the provider refuses it with status 400 and error "unsupported_grant_type"
    And the body matches the schema "loginsign/error"

  @documented @rfc6749 @needs-second-client @LS-045 @LS-038 @LS-040
  Scenario: A code issued to the app is refused to another registered client
    When the client exchanges the authorization code with the second registered client's credentials
    Then the provider refuses it with status 400 and error "invalid_grant"
    And the body matches the schema "loginsign/error"
