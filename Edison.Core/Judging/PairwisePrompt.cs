using System.Globalization;
using System.Text;
using Edison.Core.Experiments;
using Microsoft.Extensions.AI;

namespace Edison.Core.Judging;

/// <summary>Builds the pairwise judge's messages: the same case answered twice, both fenced as data.</summary>
public static class PairwisePrompt
{
    /// <summary>The messages for one ordered pair.</summary>
    public static IList<ChatMessage> Build(string goal, Rubric rubric, string caseInput, string answerA, string answerB, string customSystemPrompt,
        bool fence = true)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        var system = new StringBuilder();
        system.AppendLine("You compare two answers an AI assistant gave to the same request and decide which better meets the goal and rubric.");
        system.AppendLine("Think step by step: first write your reasoning, then name the winner: A, B, or tie when neither is better.");
        system.AppendLine("The order in which the answers are shown says nothing about their quality. Length is not quality.");
        system.AppendLine(JudgePrompt.DataRule);
        if (!string.IsNullOrWhiteSpace(customSystemPrompt))
        {
            system.AppendLine().AppendLine(customSystemPrompt.Trim());
        }

        var user = new StringBuilder();
        user.AppendLine(CultureInfo.InvariantCulture, $"Goal of the prompt: {goal}").AppendLine();
        JudgePrompt.AppendRubric(user, rubric);
        user.AppendLine().AppendLine("The test case's input:").AppendLine(JudgePrompt.Data("input", caseInput, fence));
        user.AppendLine().AppendLine("Answer A:").AppendLine(JudgePrompt.Data("answer-a", answerA, fence));
        user.AppendLine().AppendLine("Answer B:").AppendLine(JudgePrompt.Data("answer-b", answerB, fence));
        user.AppendLine().Append("Reply with JSON: reasoning, then winner (\"A\", \"B\" or \"tie\").");
        return [new ChatMessage(ChatRole.System, system.ToString()), new ChatMessage(ChatRole.User, user.ToString())];
    }
}
