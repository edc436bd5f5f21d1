@oauth2 @needs-discovery
Feature: An OAuth 2.0 server publishes its metadata as RFC 8414 says
  RFC 8414 §3: the metadata lives at the well-known URI inserted into the issuer identifier
  (`/.well-known/oauth-authorization-server`), or, for an OpenID Connect provider, at
  `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4). §3.3: "The "issuer"
  value returned MUST be identical to the authorization server's issuer identifier value into
  which the well-known URI string was inserted". §2: issuer and response_types_supported are
  REQUIRED, authorization_endpoint "is REQUIRED unless no grant types are supported that use the
  authorization endpoint", token_endpoint "unless only the implicit grant type is supported";
  the *_supported members are JSON arrays.

  The target file names the issuer (and, when it is not the RFC 8414 location, metadata_url).
  The metadata also fills the target's dialect (endpoints, client authentication, PKCE, refresh
  tokens, RFC 9207); a target file without an issuer skips these scenarios.
  Interpretation: the schema lets an issuer be http for loopback test servers; RFC 8414 §2
  wants https, which the schema does not check.

  @rfc8414 @O2-009
  Scenario: The metadata names the issuer it was fetched for
    When the client reads the authorization server's metadata
    Then the response status is 200
    And the metadata names the issuer the client expects

  @rfc8414 @O2-010
  Scenario: The metadata has every member a code-grant server must publish
    When the client reads the authorization server's metadata
    Then the metadata has every member RFC 8414 §2 requires of a code-grant server

  @rfc8414 @O2-011
  Scenario: The metadata matches the RFC 8414 schema
    When the client reads the authorization server's metadata
    Then the body matches the schema "oauth2/authorization_server_metadata"
