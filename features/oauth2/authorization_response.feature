@oauth2 @needs-authorization @needs-redirect
Feature: An OAuth 2.0 server redirects back with a code and the state the client sent
  RFC 6749 §4.1.2: "If the resource owner grants the access request, the authorization server
  issues an authorization code and delivers it to the client by adding the following parameters
  to the query component of the redirection URI": code (REQUIRED) and state ("REQUIRED if the
  "state" parameter was present in the client authorization request. The exact value received
  from the client.").

  The generic provider (oauth2) checks any standard authorization server; its endpoint paths,
  token request encoding, field names and client authentication come from the target file's
  [providers.oauth2.dialect] table (docs/target-files.md), the standard's by default. A user
  completes the authorization through the target's authorization strategy.

  RFC 6749 §3.1: "The authorization server MUST ignore unrecognized request parameters": a
  request carrying one is served as if it did not.

  RFC 9207 §2: a server that advertises authorization_response_iss_parameter_supported in its
  metadata "MUST include the iss parameter" in its authorization responses, its value the
  issuer identifier (compared as a simple string, §2.4). Run when the target names its issuer
  and the metadata advertises it (@needs-iss-parameter).

  @rfc6749 @O2-006 @O2-007
  Scenario: The redirect carries a code and the state the client sent
    When the client requests authorization
    Then the provider redirects to the callback with a code
    And the callback carries the same state

  @rfc9207 @needs-iss-parameter @O2-008
  Scenario: The redirect names the issuer
    When the client requests authorization
    Then the provider redirects to the callback with a code
    And the callback carries the issuer as iss

  @rfc6749 @O2-044 @O2-007
  Scenario: A parameter the RFC does not define is ignored
    When the client requests authorization with a parameter the RFC does not define
    Then the provider redirects to the callback with a code
    And the callback carries the same state
