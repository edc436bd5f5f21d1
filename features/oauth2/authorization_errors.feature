@oauth2
Feature: An OAuth 2.0 server refuses a faulty authorization request as RFC 6749 §4.1.2.1 says
  RFC 6749 §4.1.2.1: "If the request fails due to a missing, invalid, or mismatching redirection
  URI, or if the client identifier is missing or invalid, the authorization server SHOULD inform
  the resource owner of the error and MUST NOT automatically redirect the user-agent to the
  invalid redirection URI." Otherwise "the authorization server informs the client by adding
  the following parameters to the query component of the redirection URI": error
  (invalid_request for a missing required parameter, unsupported_response_type for a
  response_type it does not support) and state, exactly as received.

  No person takes part: the harness sends each request itself and reads the immediate answer.
  Interpretation: the server checks these parameters before it shows its login page (the RFC's
  error redirect does not wait for a sign-in).

  @rfc6749 @O2-001
  Scenario: A request without client_id is not redirected to the client
    When the client requests authorization without the "client_id" parameter
    Then the provider does not redirect to the callback

  @rfc6749 @O2-002
  Scenario: An unregistered redirect URI is never redirected to
    When the client requests authorization with a redirect URI other than the registered one
    Then the provider does not redirect to the unregistered redirect URI
    And the provider refuses the authorization without issuing a code

  @rfc6749 @O2-003 @O2-005
  Scenario: A request without response_type gets invalid_request and the state back
    When the client requests authorization without the "response_type" parameter
    Then the provider redirects to the callback with error "invalid_request" and the same state

  @rfc6749 @O2-004 @O2-005
  Scenario: An unsupported response_type gets unsupported_response_type and the state back
    When the client requests authorization with response_type "unsupported"
    Then the provider redirects to the callback with error "unsupported_response_type" and the same state
