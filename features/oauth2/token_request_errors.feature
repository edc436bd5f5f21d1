@oauth2 @needs-authorization
Feature: An OAuth 2.0 server answers a faulty token request with the RFC's error codes
  RFC 6749 §5.2: the server "responds with an HTTP 400 (Bad Request) status code (unless
  specified otherwise)" and error: invalid_request ("The request is missing a required
  parameter"), invalid_grant ("The provided authorization grant (e.g., authorization code ...)
  is invalid, expired, revoked"), unsupported_grant_type ("The authorization grant type is not
  supported by the authorization server"). §4.1.3 makes grant_type and code REQUIRED.

  The parameters are named as the RFC names them; the request leaves out the dialect's field
  for each.

  Background:
    Given the user has authorized the client

  @rfc6749 @O2-031
  Scenario: A token request without the code is refused with invalid_request
    When the client exchanges the authorization code without the code
    Then the provider refuses it with status 400 and error "invalid_request"

  @rfc6749 @O2-031
  Scenario: A token request without the grant type is refused with invalid_request
    When the client exchanges the authorization code without the grant type
    Then the provider refuses it with status 400 and error "invalid_request"

  @rfc6749 @O2-032
  Scenario: An unsupported grant type is refused with unsupported_grant_type
    When the client exchanges the authorization code with grant_type "urn:example:unsupported"
    Then the provider refuses it with status 400 and error "unsupported_grant_type"

  @rfc6749 @O2-033
  Scenario: A code the server never issued is refused with invalid_grant
    When the client exchanges a code the provider never issued
    Then the provider refuses it with status 400 and error "invalid_grant"
