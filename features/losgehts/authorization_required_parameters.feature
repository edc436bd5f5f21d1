@losgehts
Feature: losgehts refuses an authorization request missing a required parameter
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at), "Authorization": client_id ("The unique
  client identifier of your application"), state and scope are required, and scope takes the
  values signup, kyc, sof and business.

  The document does not say what a request missing a required parameter, naming a client it does
  not know, or carrying an unknown scope, gets. The scenarios accept what RFC 6749 §4.1.2.1
  allows: an error page, or a redirect carrying error=... and no code. What they refuse is an
  authorization code: the document makes these parameters required, so a code issued without
  them breaks it. Without a client_id the provider knows, it cannot know where to redirect, so
  RFC 6749 §4.1.2.1 also forbids the redirect itself. An unknown client_id is the subtle case: a
  provider that only checks the parameter is present passes the missing one.

  @documented
  Scenario Outline: A request without <parameter> gets no code
    When the client requests authorization without the "<parameter>" parameter
    Then the provider refuses the authorization without issuing a code

    @LG-003
    Examples:
      | parameter |
      | client_id |

    @LG-005
    Examples:
      | parameter |
      | state     |

    @LG-007
    Examples:
      | parameter |
      | scope     |

  @documented @LG-003
  Scenario: A request with an unknown client_id gets no code
    When the client requests authorization with a client_id the provider does not know
    Then the provider refuses the authorization without issuing a code

  @rfc6749 @LG-004
  Scenario: A request without client_id is not redirected to the client
    When the client requests authorization without the "client_id" parameter
    Then the provider does not redirect to the callback

  @rfc6749 @LG-004
  Scenario: A request with an unknown client_id is not redirected to the client
    When the client requests authorization with a client_id the provider does not know
    Then the provider does not redirect to the callback

  @rfc6749 @LG-008
  Scenario: An undocumented scope value gets no code
    When the client requests authorization with scope "admin"
    Then the provider refuses the authorization without issuing a code
