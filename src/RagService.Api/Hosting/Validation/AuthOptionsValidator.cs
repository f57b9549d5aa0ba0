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
        }
    }
}
