@loginsign
Feature: LoginSign redirects back to the app with a code, and only to an authorized redirect URI
  The LoginSign API Reference (loginsign.com), "Which API uses which credentials?": end-user sign-in uses
  GET /oauth/authorize by "Browser redirect". "Error Responses": "invalid_client: wrong
  client_id/client_secret or unauthorized redirect URI for this app". "POST /oauth/token":
  "redirect_uri must match the authorize request value", so the authorize request carries one.

  Interpretations:
  - The document names no authorize parameters and no scope. The harness sends RFC 6749 §4.1.1's
    response_type=code, client_id, redirect_uri and state, and no scope.
  - The real authorize page signs a person in first. The harness obtains the code the way an
    auto-approving sandbox (or the embedded mock) allows: it requests the authorize URL and reads
    the redirect without following it. Scenarios doing so are tagged @needs-authorization
    (and @needs-redirect where they check that redirect).
  - The document does not mention state; that it comes back unchanged is RFC 6749 §4.1.2
    (@rfc6749).
  - "All errors return JSON": a wrong client_id or an unauthorized redirect URI at the authorize
    endpoint gets a JSON invalid_client answer and no redirect (RFC 6749 §4.1.2.1 forbids
    redirecting to an unverified URI). The document names no status; the RFC pairs invalid_client
    with 400 or 401, and the scenarios accept either.
  - The document does not say how a redirect URI is compared with the registered one. RFC 6749
    §3.1.2.3 compares a registered URI as a string, so anything but the registered URI itself is
    unauthorized. A provider that only checks the host, or only the beginning of the URI, passes
    a URI on another host and fails the telling cases: the registered URI with a suffix, with
    another path, and with another query, on the registered host.

  @documented @rfc6749 @needs-authorization @needs-redirect @LS-006 @LS-050
  Scenario: The redirect carries a code and the state the app sent
    When the client requests authorization
    Then the provider redirects to the callback with a code
    And the callback carries the same state

  @documented @LS-043 @LS-038 @LS-040
  Scenario: An unauthorized redirect URI gets invalid_client and no redirect
    When the client requests authorization with a redirect URI other than the registered one
    Then the provider refuses it with status 400 or 401 and error "invalid_client"
    And the body matches the schema "loginsign/error"

  @documented @LS-041 @LS-038 @LS-040
  Scenario: A wrong client_id gets invalid_client and no redirect
    When the client requests authorization with a client_id the provider does not know
    Then the provider refuses it with status 400 or 401 and error "invalid_client"
    And the body matches the schema "loginsign/error"

  @documented @rfc6749 @LS-043 @LS-044 @LS-038 @LS-040
  Scenario Outline: The registered redirect URI <how> gets invalid_client and no redirect
    When the client requests authorization with the registered redirect URI <how>
    Then the provider refuses it with status 400 or 401 and error "invalid_client"
    And the body matches the schema "loginsign/error"

    Examples:
      | how                |
      | with a suffix      |
      | on another path    |
      | with another query |
