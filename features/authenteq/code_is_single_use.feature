@authenteq @needs-authorization @AQ-013 @AQ-014
Feature: Authenteq authorization codes can be exchanged only once
  The Authenteq Web KYC API Reference (api.authenteq.com), "Exchanging Code for a Token": "Please, note that you can exchange
  the code only once! If you try again the endpoint will return an error." And "How to Integrate",
  step 3: "Once the code is exchanged for the token you can no longer use it".

  Interpretations: "an error" is read as an HTTP 4xx answer that carries no token. The document
  names no error code; the second scenario checks RFC 6749 §5.2's invalid_grant (HTTP 400) and is
  tagged @rfc6749. Both exchange a code first, so they also need the exchange itself (catalogue
  rows AQ-013 and AQ-014).

  Background:
    Given the user has authorized the client

  @documented @AQ-016 @AQ-039
  Scenario: A code exchanged a second time gets an error and no token
    When the client exchanges the authorization code a second time
    Then the provider refuses it with a client error and no "token"

  @rfc6749 @AQ-038
  Scenario: A code exchanged a second time is refused with invalid_grant
    When the client exchanges the authorization code a second time
    Then the provider refuses it with status 400 and error "invalid_grant"
