using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagService.Api.Endpoints;
using RagService.Api.Hosting.Validation;

namespace RagService.Api.Tests;

/// <summary>
/// The settings page (<c>GET /v1/settings</c>) lists its sections apart from the startup validation that binds and
/// checks them; a section added to one list only would be validated but never shown. Every validated options type
/// must be shown, as a section or nested inside one (Rag:Auth in Rag).
/// </summary>
public sealed class SettingsSectionsTests
{
    [Fact]
    public void Every_validated_options_type_is_shown_by_the_settings_route()
    {
        var services = new ServiceCollection();
        services.AddValidatedSettings();
        var validated = services
            .Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IValidateOptions<>))
            .Select(t => t.GetGenericArguments()[0])
            .Distinct()
            .ToList();
        Assert.True(validated.Count >= 10, $"only {validated.Count} validated options types found");

        var shown = new HashSet<Type>();
        foreach (var (_, type) in SettingsApi.Sections)
        {
            Collect(type, shown);
        }

        var missing = validated.Where(t => !shown.Contains(t)).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, "validated but not shown by GET /v1/settings: " + string.Join(", ", missing));
    }

    private static void Collect(Type type, HashSet<Type> into)
    {
        if (!into.Add(type))
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var t = property.PropertyType;
            if (t.IsClass && t != typeof(string) && t.Namespace?.StartsWith("RagService", StringComparison.Ordinal) == true)
            {
                Collect(t, into);
            }
        }
    }
}
