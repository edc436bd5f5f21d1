// panva's oidc-provider (https://github.com/panva/node-oidc-provider), configured as a sandbox
// whose fixed test user signs in on its own: its interaction URL logs the user in and grants
// consent through the provider's own cookies and 303 redirects, so the harness's default
// redirect-capture strategy must follow them (about five hops). tests/oidc_provider.rs starts it.
//
//   node server.js PORT CLIENT_SECRET [loose]
//
// Prints "listening on http://127.0.0.1:PORT" when ready. `loose` loosens one behaviour:
// oidc-provider's own default allowOmittingSingleRegisteredRedirectUri = true, under which the
// token endpoint takes a request without the redirect_uri its authorization request carried
// (RFC 6749 §4.1.3 requires it then).
import http from 'node:http';
import Provider from 'oidc-provider';

const [port, secret, mode] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const TEST_USER = 'conformance-test-user';

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'conformance-client',
    client_secret: secret,
    redirect_uris: ['http://127.0.0.1:9/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }, {
    // A second client, for the scenarios that check a grant is bound to its client.
    client_id: 'conformance-second-client',
    client_secret: `${secret}-second`,
    redirect_uris: ['http://127.0.0.1:9/second-callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // Every code grant of a client allowed the refresh_token grant gets a refresh token (the
  // default wants the offline_access scope).
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  pkce: { required: () => true },
  allowOmittingSingleRegisteredRedirectUri: mode === 'loose',
  cookies: { keys: ['idp-conformance-test-cookie-key'] },
});

// The test user's interaction: log in, then grant what the client asked for; each step answers
// with a 303 to the provider's resume URL.
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: TEST_USER } }, {
      mergeWithLastSubmission: false,
    });
    return;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, {
    mergeWithLastSubmission: true,
  });
}

const callback = provider.callback();
http.createServer((req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      res.statusCode = 500;
      res.end(String(err));
    });
    return;
  }
  callback(req, res);
}).listen(Number(port), '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
