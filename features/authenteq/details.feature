@authenteq @needs-authorization @AQ-013 @AQ-014
Feature: Authenteq returns the user details and document images for a valid token
  The Authenteq Web KYC API Reference (api.authenteq.com), "Retrieving User Details": curl -X GET -H 'Authorization: Bearer
  <token>' https://api.authenteq.com/v2/web-kyc/details answers croppedDocs (front and back,
  "<base64_encoded_JPEG_image>") and details (documentNumber, issuingCountry "DEU", documentType,
  givenNames, surname, dateOfBirth "1987-01-12", nationality "DEU", dateOfIssue, dateOfExpiry,
  sex "F"). "How to Integrate", step 4: "To authorize the request, you must pass the token in the
  Authorization header of your request".

  Interpretations, each also named in the schema or step that checks it:
  - The document shows only an example, in a non-JSON notation (unquoted keys); the harness reads
    it as JSON with those keys, every field of the example required.
  - issuingCountry and nationality are ISO 3166-1 alpha-3 (the example's "DEU"); the dates are ISO
    8601 calendar dates, YYYY-MM-DD (the example's "1987-01-12").
  - sex is the one-letter code of the document's machine-readable zone (ICAO 9303): F, M or X.
    The example shows only "F".
  - An image is standard base64 (RFC 4648 §4) without a data: prefix, of bytes that start with
    the JPEG marker FF D8 FF.
  - The document does not say what a request without a valid token gets: the scenarios accept
    any 4xx answer that carries no details. "With a prefix Bearer" is read as required: the
    token alone in the Authorization header is not a valid request (RFC 6750 §2.1's syntax).
  - The document names no Content-Type for the answer; its example is JSON, so the answer must
    say so (RFC 9110 §8.3, RFC 8259 §11's application/json).
  - Every scenario here first exchanges a code (catalogue rows AQ-013 and AQ-014).

  Background:
    Given the user has authorized the client
    And the client has exchanged the authorization code for an access token

  @documented @AQ-002 @AQ-017 @AQ-042
  Scenario: The details answer matches the documented example
    When the client requests the user details with the token
    Then the response status is 200
    And the body matches the schema "authenteq/details"

  @documented
  Scenario Outline: <field> has its documented format
    When the client requests the user details with the token
    Then the value at "/details/<field>" matches the schema "<schema>"

    @AQ-050
    Examples:
      | field          | schema                |
      | issuingCountry | common/iso3166_alpha3 |

    @AQ-051
    Examples:
      | field          | schema                |
      | nationality    | common/iso3166_alpha3 |

    @AQ-052
    Examples:
      | field          | schema                |
      | dateOfBirth    | common/iso8601_date   |
      | dateOfIssue    | common/iso8601_date   |
      | dateOfExpiry   | common/iso8601_date   |

  @interpretation @AQ-053
  Scenario: sex is a one-letter document code
    When the client requests the user details with the token
    Then the value at "/details/sex" matches the schema "authenteq/sex"

  @documented @AQ-002 @AQ-054
  Scenario Outline: The <side> of the document is a base64-encoded JPEG
    When the client requests the user details with the token
    Then the value at "/croppedDocs/<side>" is a base64-encoded JPEG image

    Examples:
      | side  |
      | front |
      | back  |

  @rfc9110 @AQ-045
  Scenario: The details answer is declared as JSON
    When the client requests the user details with the token
    Then the response Content-Type is JSON

  @documented @AQ-018 @AQ-041
  Scenario: A request without a token gets no details
    When the client requests the user details without a token
    Then the provider refuses it with a client error and no "details"

  @documented @AQ-018 @AQ-041
  Scenario: The token without the Bearer prefix gets no details
    When the client requests the user details with the token but without the Bearer prefix
    Then the provider refuses it with a client error and no "details"

  @documented @AQ-018 @AQ-041
  Scenario: A token the provider never issued gets no details
    When the client requests the user details with a token the provider never issued
    Then the provider refuses it with a client error and no "details"
