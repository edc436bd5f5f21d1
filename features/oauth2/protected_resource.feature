@oauth2 @needs-resource
Feature: A resource protected by the access token refuses missing and invalid tokens
  RFC 6750 §2.1: the client sends the token as "Authorization: Bearer <token>". §3: "If the
  protected resource request does not include authentication credentials or does not contain
  an access token that enables access to the protected resource, the resource server MUST
  include the HTTP "WWW-Authenticate" response header field" with the Bearer scheme; a request
  without credentials "SHOULD NOT include an error code"; §3.1: an invalid token gets HTTP 401
  and error="invalid_token".

  §2: "Clients MUST NOT use more than one method to transmit the token in each request"; §3.1:
  a request that "uses more than one method for including an access token" gets
  invalid_request, and the server "SHOULD respond with the HTTP 400 (Bad Request)".
  Interpretation: a SHOULD, so 401 with invalid_request passes too; the error is read from the
  Bearer challenge or the JSON body.

  The resource is the dialect's resource_path. A target file without one skips these
  scenarios (@needs-resource), saying so. Interpretation: a request without any token gets 401
  (the RFC's example in §3), not 400.

  @rfc6750 @needs-authorization @O2-017
  Scenario: A valid access token gets the resource
    Given the user has authorized the client
    And the client has exchanged the authorization code for an access token
    When the client requests the protected resource with the access token
    Then the response status is 200

  @rfc6750 @O2-018 @O2-019
  Scenario: A request without a token gets 401 and a Bearer challenge
    When the client requests the protected resource without a token
    Then the resource server refuses it with 401 and a Bearer challenge

  @rfc6750 @O2-020 @O2-019
  Scenario: A token the server never issued gets 401 and invalid_token
    When the client requests the protected resource with a token the provider never issued
    Then the resource server refuses it with 401 and a Bearer challenge with error "invalid_token"

  @rfc6750 @needs-authorization @O2-039
  Scenario: A token sent both in the header and in the query is refused as an invalid request
    Given the user has authorized the client
    And the client has exchanged the authorization code for an access token
    When the client requests the protected resource with the access token in the header and the query
    Then the resource server refuses it as an invalid request
