/**
 * Who makes access tokens and for whom: set on every token and required on every verification,
 * so a token another service made with a shared secret does not pass here.
 */
export const TOKEN_ISSUER = 'nest-chat';
export const TOKEN_AUDIENCE = 'nest-chat:api';

/** The options that make a token (or check one) this server's. */
export const OWN_TOKENS = { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE } as const;
