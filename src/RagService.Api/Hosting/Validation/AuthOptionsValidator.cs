using RagService.Api.Security;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "Rag:Auth" section: a known mode, a strong configured admin key, and a usable JWT setup when tokens are on.</summary>
internal sealed class AuthOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<RagAuthOptions>(RagAuthOptions.Section, configuration)
{
    /// <summary>Shortest configured admin key: a guessable key is no key.</summary>
    public const int MinAdminKeyLength = 24;

    protected override void Check(RagAuthOptions options, SettingChecks checks)
    {
        checks.OneOf(options.Mode, ["apikey", "jwt", "apikey+jwt", "none"]);
        if (options.AdminKey is { } key && !string.IsNullOrWhiteSpace(key) && key.Trim().Length < MinAdminKeyLength)
        {
            checks.Fail(nameof(options.AdminKey), $"must be at least {MinAdminKeyLength} characters (was {key.Trim().Length})");
        }

        if (options.AcceptsJwt)
        {
            var jwt = options.Jwt;
            if (string.IsNullOrWhiteSpace(jwt.Audience))
            {
                checks.Fail("Jwt:Audience", "must be set when the mode accepts tokens");
            }

            if (string.IsNullOrWhiteSpace(jwt.Authority) && jwt.SigningKeys.Count == 0)
            {
                checks.Fail("Jwt:Authority", "or Jwt:SigningKeys must be set when the mode accepts tokens");
            }

            if (string.IsNullOrWhiteSpace(jwt.TenantClaim))
            {
                checks.Fail("Jwt:TenantClaim", "must be set");
            }

            if (jwt.Dashboard.IsConfigured && !Uri.TryCreate(jwt.Authority, UriKind.Absolute, out _))
            {
                checks.Fail("Jwt:Dashboard:ClientId", "needs Jwt:Authority (an absolute URL): the dashboard's sign-in reads the provider's endpoints from its discovery document");
            }

            if (jwt.Dashboard.IsConfigured && string.IsNullOrWhiteSpace(jwt.Dashboard.Scopes))
            {
                checks.Fail("Jwt:Dashboard:Scopes", "must be set when Jwt:Dashboard:ClientId is");
            }
        }
        else if (options.Jwt.Dashboard.IsConfigured)
        {
            checks.Fail("Jwt:Dashboard:ClientId", $"is set but Mode '{options.Mode}' does not accept tokens (use jwt or apikey+jwt)");
        }
    }
}
