using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using RagService.Indexing;

namespace RagService.Api.Security;

/// <summary>
/// The standard JWT bearer handler configured from <see cref="RagJwtOptions"/>: issuer, audience, lifetime and
/// signature are checked by the handler; then the configured claim names are mapped to the Rag claims. A token
/// without a valid tenant claim is refused.
/// </summary>
internal static class JwtSetup
{
    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;

    public static void Configure(JwtBearerOptions jwt, RagJwtOptions options)
    {
        jwt.MapInboundClaims = false;
        jwt.Authority = string.IsNullOrWhiteSpace(options.Authority) ? null : options.Authority;
        jwt.Audience = options.Audience;
        jwt.RequireHttpsMetadata = options.RequireHttpsMetadata;
        jwt.TokenValidationParameters.ValidAudience = options.Audience;
        jwt.TokenValidationParameters.ValidateIssuer = options.Issuer is not null || jwt.Authority is not null;
        jwt.TokenValidationParameters.ValidIssuer = options.Issuer;
        jwt.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
        if (options.SigningKeys.Count > 0)
        {
            jwt.TokenValidationParameters.IssuerSigningKeys = options.SigningKeys.Select(ParsePublicKey).ToList();
        }

        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (MapClaims(context.Principal!, options) is { } principal)
                {
                    context.Principal = principal;
                }
                else
                {
                    context.Fail($"The token has no valid '{options.TenantClaim}' claim (the tenant).");
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                await AuthProblems.UnauthorizedAsync(context.HttpContext, context.AuthenticateFailure is { } failure
                    ? $"The token was refused: {failure.Message}"
                    : "Send a token as 'Authorization: Bearer <token>'.");
            },
            OnForbidden = context => AuthProblems.ForbiddenAsync(context.HttpContext),
        };
    }

    /// <summary>The Rag claims read from the token's configured claims, or null when the tenant claim is missing or malformed.</summary>
    public static ClaimsPrincipal? MapClaims(ClaimsPrincipal token, RagJwtOptions options)
    {
        if (token.FindFirst(options.TenantClaim)?.Value is not { } tenant || !IndexRegistry.IsValidName(tenant))
        {
            return null;
        }

        var roles = token.FindAll(options.RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var role = roles.Contains(RagRoles.Admin) ? RagRoles.Admin : roles.Contains(RagRoles.Ingester) ? RagRoles.Ingester : RagRoles.Reader;
        var caller = new Caller(
            null,
            tenant,
            token.FindFirst(options.UserClaim)?.Value,
            token.FindAll(options.GroupsClaim).Select(c => c.Value).ToList(),
            role,
            false);
        return RagClaims.Principal(caller, Scheme);
    }

    /// <summary>An RSA public key, else an EC one (both arrive as "BEGIN PUBLIC KEY" PEM).</summary>
    private static SecurityKey ParsePublicKey(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
    }
}
