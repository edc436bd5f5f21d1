@authenteq
Feature: Authenteq redirects back to the client with a code and the same state
  The Authenteq Web KYC API Reference (api.authenteq.com), "How to Integrate Web SDK", step 2: the link to the identity server
  "must contain" response_type ("we only support a code flow, so the value should be code"),
  client_id, redirect_uri, scope ("Currently, the only supported value is kyc"), state, and the
  optional back_url. Step 3: "we will redirect the user to the redirect URI and add two
  parameters: code ... state - the random string you passed in the link".

  Interpretations:
  - The real identity server runs a liveness test and a document scan before it redirects: a
    user completes those authorizations (@needs-authorization), through the target's
    authorization strategy. Against an auto-approving sandbox (or the embedded mock) the harness
    requests the authorize URL and reads the redirect without following it; a callback listener
    or a command can stand in for the person's browser (docs/target-files.md).
  - The API reference answers "200: OK / Redirect to redirect_uri with code and state"; the
    harness reads the redirect as an HTTP 3xx with a Location header.
  - The authorize path is /authorize, as in the tutorial and the integration guide; the HTML
    button's link uses /oauth, read as a slip of the example.
  - scope is in the "must contain" list, yet neither the tutorial's link nor the integration
    guide's example carries it. The harness sends scope=kyc, and checks that a link without scope,
    as the tutorial sends it, still gets a code.
  - The example link names the optional parameter back, the parameter list back_url; no scenario
    sends either.
  - The document does not say what a link missing a required parameter, or with an unsupported
    response_type or scope, gets. The scenarios accept what RFC 6749 §4.1.2.1 allows: an error
    page, or a redirect carrying error=... and no code. What they refuse is a code. A client_id
    the provider does not know is the subtle case: a provider checking only that the parameter
    is present passes the missing one.

  @documented @needs-authorization @needs-redirect @AQ-006 @AQ-011 @AQ-030 @AQ-043
  Scenario: The redirect carries a code and the state the client sent
    When the client requests authorization with scope "kyc"
    Then the provider redirects to the callback with a code
    And the callback carries the same state

  @interpretation @needs-authorization @needs-redirect @AQ-010
  Scenario: A link without scope, as in the tutorial, gets a code
    When the client requests authorization without the "scope" parameter
    Then the provider redirects to the callback with a code

  @documented
  Scenario Outline: A link without <parameter> gets no code
    When the client requests authorization without the "<parameter>" parameter
    Then the provider refuses the authorization without issuing a code

    @AQ-024
    Examples:
      | parameter     |
      | response_type |

    @AQ-020
    Examples:
      | parameter     |
      | client_id     |

    @AQ-025
    Examples:
      | parameter     |
      | redirect_uri  |

    @AQ-027
    Examples:
      | parameter     |
      | state         |

  @documented @AQ-020
  Scenario: A link with a client_id the provider does not know gets no code
    When the client requests authorization with a client_id the provider does not know
    Then the provider refuses the authorization without issuing a code

  @documented @AQ-003 @AQ-024
  Scenario: A response_type other than code gets no code
    When the client requests authorization with response_type "token"
    Then the provider refuses the authorization without issuing a code

  @documented @AQ-026
  Scenario: A scope other than kyc gets no code
    When the client requests authorization with scope "email"
    Then the provider refuses the authorization without issuing a code
