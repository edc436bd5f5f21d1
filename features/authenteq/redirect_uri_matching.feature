@authenteq @needs-authorization
Feature: Authenteq sends codes only to the registered redirect URI
  The Authenteq Web KYC API Reference (api.authenteq.com), "How to Integrate Web SDK", step 2: redirect_uri is "the URI where
  we will redirect users on successful identity verification. To prevent possible fraud, it must
  match the URI defined in your account"; the API reference: "It must match the URI stored in the
  client settings." Step 3 lists redirectUri among the token request's fields: "the redirect URI
  that was used to receive the code".

  Interpretations:
  - "Must match" is read as RFC 6749 §3.1.2.2's simple string comparison: the subtle violations
    are the registered URI with a suffix, on another path, or with another query on the same
    host, each tried on its own (a provider comparing prefixes, hosts or paths only passes the
    other host).
  - The document does not say what an unregistered redirect_uri gets. The scenario accepts an
    error page or an error redirect without a code; RFC 6749 §4.1.2.1 says the server must not
    redirect to an invalid redirection URI at all.
  - The document does not say what a token request naming another redirectUri gets. RFC 6749
    §4.1.3 requires the server to check it ("ensure that their values are identical") and §5.2
    names the error: invalid_grant, HTTP 400. The same three one-part changes are tried there.

  Background:
    Given the user has authorized the client

  @documented @AQ-006 @AQ-025
  Scenario: An unregistered redirect URI gets no code
    When the client requests authorization with a redirect URI other than the registered one
    Then the provider refuses the authorization without issuing a code

  @documented @AQ-025
  Scenario Outline: The registered redirect URI <variation> gets no code
    When the client requests authorization with the registered redirect URI <variation>
    Then the provider refuses the authorization without issuing a code

    Examples:
      | variation          |
      | with a suffix      |
      | on another path    |
      | with another query |

  @documented @rfc6749 @AQ-013 @AQ-035
  Scenario: A token request naming another redirect URI is refused with invalid_grant
    When the client exchanges the authorization code with a redirect URI other than the one used
    Then the provider refuses it with status 400 and error "invalid_grant"

  @documented @rfc6749 @AQ-013 @AQ-035
  Scenario Outline: A token request naming the redirect URI used <variation> is refused with invalid_grant
    When the client exchanges the authorization code with the redirect URI used <variation>
    Then the provider refuses it with status 400 and error "invalid_grant"

    Examples:
      | variation          |
      | with a suffix      |
      | on another path    |
      | with another query |
