namespace RagService.Models.Tests;
