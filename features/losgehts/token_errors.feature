@losgehts @needs-authorization
Feature: losgehts refuses token requests it must not honour
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at), "Token Exchange", lists the body fields code, state, client_id,
  client_secret and grant_type, and nothing about errors. These scenarios use RFC 6749 §5.2:
  invalid_client (HTTP 400 or 401) when client authentication fails, invalid_grant (400) for a
  code the provider never issued, invalid_request (400) for a missing required parameter,
  unsupported_grant_type (400) for another grant type.

  A request without client_id or client_secret is both a request missing a required parameter
  (§5.2 invalid_request) and one whose client authentication failed (§5.2 invalid_client); the
  document is silent, so those scenarios accept either answer. §5.2 also fixes the error
  answer's media type: application/json.

  The document shows state in the token request but does not say it is required, nor what a
  state that differs from the authorization's gets; no scenario checks either.

  Background:
    Given the user has authorized the client with scope "signup"

  @rfc6749 @LG-037
  Scenario: A wrong client secret is refused with invalid_client
    When the client exchanges the authorization code with a wrong client secret
    Then the provider refuses it with status 400 or 401 and error "invalid_client"

  @rfc6749 @LG-046
  Scenario: A refusal is declared as JSON
    When the client exchanges a code the provider never issued
    Then the response Content-Type is JSON

  @rfc6749 @LG-038
  Scenario: A code the provider never issued is refused with invalid_grant
    When the client exchanges a code the provider never issued
    Then the provider refuses it with status 400 and error "invalid_grant"

  @rfc6749 @LG-039
  Scenario Outline: A token request without <field> is refused with invalid_request
    When the client exchanges the authorization code without the "<field>" field
    Then the provider refuses it with status 400 and error "invalid_request"

    Examples:
      | field         |
      | code          |
      | grant_type    |

  @rfc6749 @LG-040
  Scenario Outline: A token request without <field> is refused with invalid_client or invalid_request
    When the client exchanges the authorization code without the "<field>" field
    Then the provider refuses it with one of
      | status     | error           |
      | 400 or 401 | invalid_client  |
      | 400        | invalid_request |

    Examples:
      | field         |
      | client_id     |
      | client_secret |

  @rfc6749 @LG-041
  Scenario: Another grant type is refused with unsupported_grant_type
    When the client exchanges the authorization code with grant_type "password"
    Then the provider refuses it with status 400 and error "unsupported_grant_type"
