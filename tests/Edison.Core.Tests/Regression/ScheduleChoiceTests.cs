using Edison.Core.Regression;

namespace Edison.Core.Tests.Regression;

public sealed class ScheduleChoiceTests
{
    [Theory]
    [InlineData(ScheduleChoice.Nightly, "02:00", null, "0 0 2 * * ?", "Every night at 02:00 UTC")]
    [InlineData(ScheduleChoice.Nightly, "23:45", null, "0 45 23 * * ?", "Every night at 23:45 UTC")]
    [InlineData(ScheduleChoice.Weekly, "03:15", DayOfWeek.Tuesday, "0 15 3 ? * TUE", "Every Tuesday at 03:15 UTC")]
    [InlineData(ScheduleChoice.Weekly, "00:00", DayOfWeek.Sunday, "0 0 0 ? * SUN", "Every Sunday at 00:00 UTC")]
    public void ToCron_NightlyOrWeekly_GivesTheQuartzExpressionAndReadsBack(string frequency, string at, DayOfWeek? day, string cron, string words)
    {
        var choice = new ScheduleChoice(frequency, TimeOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture), day);

        var (made, field, error) = choice.ToCron();

        Assert.Equal((cron, null, null), (made, field, error));
        Assert.Equal(words, choice.Describe());
        Assert.Equal(choice, ScheduleChoice.FromCron(cron));
    }

    [Fact]
    public void FromCron_AnythingElse_IsCustomAndKeepsTheExpression()
    {
        var choice = ScheduleChoice.FromCron("0 30 2 ? * MON-FRI");

        Assert.Equal((ScheduleChoice.Custom, "0 30 2 ? * MON-FRI"), (choice.Frequency, choice.CustomCron));
        Assert.Equal("0 30 2 ? * MON-FRI", choice.ToCron().Cron);
        Assert.Equal(ScheduleChoice.Off, ScheduleChoice.FromCron(null).Frequency);
    }

    [Theory]
    [InlineData(ScheduleChoice.Nightly, null, "At")]
    [InlineData(ScheduleChoice.Weekly, null, "At")]
    [InlineData(ScheduleChoice.Custom, null, "CustomCron")]
    [InlineData("hourly", null, "Frequency")]
    public void ToCron_MissingPart_NamesTheFieldInWords(string frequency, string? cron, string field)
    {
        var (made, badField, error) = new ScheduleChoice(frequency, CustomCron: cron).ToCron();

        Assert.Null(made);
        Assert.Equal(field, badField);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void ToCron_Off_GivesNoExpressionAndNoError() =>
        Assert.Equal((null, null, null), new ScheduleChoice(ScheduleChoice.Off).ToCron());
}
