using RagService.Api.Security;

namespace RagService.Api.Conversations;

/// <summary>
/// Whose a conversation is: the caller's tenant and user, or its key when the key speaks for no user.
/// Every read and write of a conversation is keyed by it, so another caller's conversation is simply not found.
/// </summary>
public sealed record ConversationOwner(string Tenant, string Principal)
{
    public static ConversationOwner Of(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var principal = caller.User is { Length: > 0 } user ? "user:" + user
            : caller.KeyId is { Length: > 0 } key ? "key:" + key
            : "anonymous";
        return new ConversationOwner(caller.Tenant, principal);
    }
}
