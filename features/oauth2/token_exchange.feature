@oauth2 @needs-authorization
Feature: An OAuth 2.0 server exchanges an authorization code for an access token
  RFC 6749 §4.1.3-4.1.4 and §5.1: the client sends grant_type "authorization_code", the code, and
  the redirect_uri "if the redirect_uri parameter was included in the authorization request",
  authenticating as §2.3 says; the server answers 200 with access_token and token_type
  (REQUIRED), expires_in (RECOMMENDED), and "MUST include the HTTP "Cache-Control" response
  header field with a value of "no-store" in any response containing tokens".

  The dialect decides the request's encoding, field names and client authentication (HTTP
  Basic by default: §2.3.1, "The authorization server MUST support the HTTP Basic authentication
  scheme"). The answer's token field is the dialect's access_token_field; the schema checks the
  RFC's names.

  Background:
    Given the user has authorized the client

  @rfc6749 @O2-029
  Scenario: A valid code is exchanged for an access token
    When the client exchanges the authorization code
    Then the response status is 200
    And the token endpoint answers with an access token
    And the body matches the schema "oauth2/token_response"

  @rfc6749 @O2-030
  Scenario: Token responses are not cached
    When the client exchanges the authorization code
    Then the response header "Cache-Control" includes "no-store"
