namespace RagService.TestSupport;
