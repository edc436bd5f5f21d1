@authenteq @needs-authorization
Feature: Authenteq refuses token requests it must not honour
  The Authenteq Web KYC API Reference (api.authenteq.com), "How to Integrate", step 3: the token request carries grantType,
  code, redirectUri, clientId and clientSecret; "the exchange also requires your secret ... even
  if the code is intercepted, it would be useless". The document names no error answers. These
  scenarios use RFC 6749 §5.2's names and are tagged @rfc6749: invalid_client (HTTP 400 or 401)
  when client authentication fails, invalid_grant (400) for a code the provider never issued,
  invalid_request (400) for a missing field, unsupported_grant_type (400) for another grant type
  ("We use the Authorization Code grant type").

  A request without clientId or clientSecret is both a request missing a required parameter
  (§5.2 invalid_request) and one whose client authentication failed (§5.2 invalid_client); the
  document is silent, so those scenarios accept either answer. §5.2 also fixes the error
  answer's media type: application/json.

  Background:
    Given the user has authorized the client

  @documented @rfc6749 @AQ-007 @AQ-056
  Scenario: A wrong client secret is refused with invalid_client
    When the client exchanges the authorization code with a wrong client secret
    Then the provider refuses it with status 400 or 401 and error "invalid_client"

  @rfc6749 @AQ-059 @AQ-013
  Scenario: A refusal is declared as JSON
    When the client exchanges a code the provider never issued
    Then the response Content-Type is JSON

  @rfc6749 @AQ-013 @AQ-037
  Scenario: A code the provider never issued is refused with invalid_grant
    When the client exchanges a code the provider never issued
    Then the provider refuses it with status 400 and error "invalid_grant"

  @rfc6749 @AQ-036
  Scenario Outline: A token request without <field> is refused with invalid_request
    When the client exchanges the authorization code without the "<field>" field
    Then the provider refuses it with status 400 and error "invalid_request"

    Examples:
      | field        |
      | grantType    |

    @AQ-013
    Examples:
      | field        |
      | code         |

    @AQ-013 @AQ-035
    Examples:
      | field        |
      | redirectUri  |

  @rfc6749 @AQ-036
  Scenario Outline: A token request without <field> is refused with invalid_client or invalid_request
    When the client exchanges the authorization code without the "<field>" field
    Then the provider refuses it with one of
      | status     | error           |
      | 400 or 401 | invalid_client  |
      | 400        | invalid_request |

    Examples:
      | field        |
      | clientId     |
      | clientSecret |

  @rfc6749 @AQ-003
  Scenario: Another grant type is refused with unsupported_grant_type
    When the client exchanges the authorization code with grant_type "password"
    Then the provider refuses it with status 400 and error "unsupported_grant_type"
