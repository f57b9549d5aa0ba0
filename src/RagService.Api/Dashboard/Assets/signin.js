// Sign-in of the dashboard (uses el(), KEY, route() and signOut() of app.js): an API key, or the identity provider
// with the OpenID Connect authorization code flow and PKCE, run here in the page as a public client (no secret).
// Either credential stays in sessionStorage (gone when the tab closes) and goes with every call to the REST API;
// GET /v1/auth/dashboard (anonymous) says which the service accepts and where the provider is.
"use strict";

/** The provider's access token and when it expires: {token, expiresAt (ms since 1970, or null)}. */
const TOKEN = "rag-token";
/** What the tab sent to the provider and needs on return: state, nonce, PKCE verifier, the address to come back to. */
const PENDING = "rag-oidc-pending";
/** GET /v1/auth/dashboard: {apiKeys, tokens, identityProvider, identityProviderError}. */
let authConfig = null;
let expiryTimer = 0;

/** The headers that carry the tab's credential: the token as a bearer, else the key. */
function authHeaders() {
  const token = storedToken();
  return token ? { Authorization: `Bearer ${token.token}` } : { "X-Api-Key": sessionStorage.getItem(KEY) || "" };
}

function storedToken() {
  try { return JSON.parse(sessionStorage.getItem(TOKEN) || "null"); } catch { return null; }
}

function hasCredential() {
  return Boolean(sessionStorage.getItem(KEY) || storedToken());
}

function forgetCredentials() {
  clearTimeout(expiryTimer);
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(TOKEN);
}

function base64url(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** A JWT's payload, unverified (the API verifies the token; the page only reads exp and nonce), or null when it is not one. */
function jwtClaims(token) {
  const parts = String(token).split(".");
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(parts[1].length / 4) * 4, "="));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, c => c.charCodeAt(0))));
  } catch { return null; }
}

/** Keeps a bearer token; the tab signs out by itself when it expires (a 401 before that signs it out too). */
function storeToken(token, expiresInSeconds) {
  const exp = jwtClaims(token)?.exp;
  const expiresAt = exp ? exp * 1000 : expiresInSeconds ? Date.now() + expiresInSeconds * 1000 : null;
  sessionStorage.removeItem(KEY);
  sessionStorage.setItem(TOKEN, JSON.stringify({ token, expiresAt }));
  scheduleExpiry();
}

function scheduleExpiry() {
  clearTimeout(expiryTimer);
  const token = storedToken();
  if (!token?.expiresAt) return;
  const left = token.expiresAt - Date.now();
  if (left <= 0) { forgetCredentials(); return; }
  expiryTimer = setTimeout(() => signOut("The sign-in expired. Sign in again."), Math.min(left, 2 ** 31 - 1));
}

/** Shows what the service accepts: the provider's button, and the key field named for what it takes. */
async function loadSignInOptions() {
  try {
    const response = await fetch("/v1/auth/dashboard");
    authConfig = response.ok ? await response.json() : null;
  } catch { authConfig = null; }
  const config = authConfig || { apiKeys: true, tokens: false, identityProvider: null };
  const idp = config.identityProvider;
  const box = document.getElementById("idp-sign-in");
  box.hidden = !idp;
  if (idp) document.getElementById("idp-button").textContent = `Sign in with ${idp.name}`;
  if (config.identityProviderError) document.getElementById("sign-in-error").textContent = config.identityProviderError;
  // The field takes a key (any text when authentication is off), and a pasted access token where the service
  // accepts tokens but has no provider button.
  const keys = config.apiKeys || !config.tokens;
  const pasteToken = config.tokens && !idp;
  document.getElementById("api-key-label").textContent = keys ? (pasteToken ? "API key or access token" : "API key") : "Access token";
  document.getElementById("key-form").hidden = !keys && !pasteToken;
  const field = [
    keys ? ["an API key of this service (the admin key, or one made with ", el("code", {}, "POST /v1/keys"), ")"] : null,
    pasteToken ? ["an access token of the identity provider"] : null,
  ].filter(Boolean).flatMap((part, i) => (i ? [", or ", ...part] : part));
  document.getElementById("sign-in-help").replaceChildren(
    ...(idp ? [`Sign in with ${idp.name}`, ...(field.length ? [", or use ", ...field] : [])] : ["Use ", ...field]),
    ". It stays in this browser tab only.");
}

/**
 * What the key field holds: a token where the service takes tokens and either takes no keys or the value is shaped
 * like a JWT (what the service itself tells apart the same way), else a key.
 */
function storeTypedCredential(value) {
  if (authConfig?.tokens && (!authConfig.apiKeys || jwtClaims(value))) storeToken(value, null);
  else { sessionStorage.removeItem(TOKEN); sessionStorage.setItem(KEY, value); }
}

/** Leaves for the provider's authorization endpoint with state, nonce and the PKCE challenge (S256). */
async function startProviderSignIn() {
  const idp = authConfig.identityProvider;
  const verifier = randomString();
  const state = randomString();
  const nonce = randomString();
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  const redirectUri = `${location.origin}/admin/`;
  sessionStorage.setItem(PENDING, JSON.stringify({
    state, nonce, verifier, redirectUri, hash: location.hash, tokenEndpoint: idp.tokenEndpoint, clientId: idp.clientId }));
  const url = new URL(idp.authorizationEndpoint);
  for (const [name, value] of Object.entries({
    response_type: "code", client_id: idp.clientId, redirect_uri: redirectUri, scope: idp.scopes,
    state, nonce, code_challenge: challenge, code_challenge_method: "S256" })) url.searchParams.set(name, value);
  location.assign(url.toString());
}

/**
 * Back from the provider (?code=…&state=… or ?error=…): checks the state, exchanges the code and the PKCE verifier
 * at the token endpoint, checks the ID token's nonce, and keeps the access token. The code leaves the address at once.
 */
async function completeProviderSignIn() {
  const query = new URLSearchParams(location.search);
  if (!query.has("code") && !query.has("error")) return false;
  let pending = null;
  try { pending = JSON.parse(sessionStorage.getItem(PENDING) || "null"); } catch { /* none */ }
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", `${location.pathname}${pending?.hash || ""}`);
  if (query.has("error")) throw new Error(`The identity provider did not sign you in: ${query.get("error_description") || query.get("error")}`);
  if (!pending || query.get("state") !== pending.state) throw new Error("The sign-in answer is not for a sign-in this tab started (state). Sign in again.");
  const response = await fetch(pending.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: query.get("code"), redirect_uri: pending.redirectUri,
      client_id: pending.clientId, code_verifier: pending.verifier }),
  });
  let body = {};
  try { body = await response.json(); } catch { /* not JSON */ }
  if (!response.ok || !body.access_token) {
    throw new Error(`The identity provider issued no token: ${body.error_description || body.error || `${response.status} ${response.statusText}`}`);
  }
  if (body.id_token && jwtClaims(body.id_token)?.nonce !== pending.nonce) throw new Error("The ID token's nonce is not this sign-in's. Sign in again.");
  storeToken(body.access_token, body.expires_in);
  return true;
}

/** Wires the sign-in page; resolves once a return from the provider has been handled. */
async function initSignIn() {
  document.getElementById("idp-button").addEventListener("click", () => {
    startProviderSignIn().catch(error => { document.getElementById("sign-in-error").textContent = error.message; });
  });
  await loadSignInOptions();
  try {
    if (await completeProviderSignIn()) me = await api("/v1/me"); // the token is checked by the API itself, which says its role and tenant
  } catch (error) {
    forgetCredentials();
    if (error.message !== "unauthorized") document.getElementById("sign-in-error").textContent = error.message;
  }
  scheduleExpiry();
}
