using Microsoft.Playwright;

namespace Edison.EndToEndTests.Wizard;

/// <summary>
/// Moves through a page the way a keyboard user does: Tab until the control has the focus, then press or type. No mouse API
/// and no programmatic focus, so a control Tab cannot reach fails the journey, naming the control.
/// </summary>
internal static class KeyboardOnly
{
    private const int MaxPresses = 400;

    /// <summary>
    /// Presses Tab (Shift+Tab when <paramref name="backwards"/>, for a control near the end of a long page) until
    /// <paramref name="target"/> is focused, at most <see cref="MaxPresses"/> times.
    /// </summary>
    public static async Task TabToAsync(IPage page, ILocator target, string what, bool backwards = false)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(target);
        await Assertions.Expect(target).ToBeVisibleAsync(new() { Timeout = WizardScript.PageTimeout });
        for (var presses = 0; presses < MaxPresses; presses++)
        {
            if (await IsFocusedAsync(target))
            {
                return;
            }

            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
        }

        Assert.Fail($"{(backwards ? "Shift+Tab" : "Tab")} did not reach {what} in {MaxPresses} presses; the focus is on {await FocusedAsync(page)}.");
    }

    /// <summary>Tabs to <paramref name="target"/> and presses Enter on it.</summary>
    public static async Task ActivateAsync(IPage page, ILocator target, string what)
    {
        await TabToAsync(page, target, what);
        await page.Keyboard.PressAsync("Enter");
    }

    /// <summary>Tabs to a text box and replaces its text by typing.</summary>
    public static async Task TypeIntoAsync(IPage page, ILocator target, string what, string text, bool backwards = false)
    {
        await TabToAsync(page, target, what, backwards);
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync(text);
    }

    /// <summary>Tabs to a list box and picks an option by typing the start of its label (the browser's type-ahead).</summary>
    public static async Task ChooseAsync(IPage page, ILocator select, string what, string labelStart)
    {
        await TabToAsync(page, select, what);
        await page.Keyboard.TypeAsync(labelStart);
    }

    /// <summary>Presses Tab once and asserts the focus moved to <paramref name="target"/>.</summary>
    public static async Task TabOnceToAsync(IPage page, ILocator target)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(target).ToBeFocusedAsync();
    }

    // The element is re-resolved each time: a background swap may have replaced it since the last press.
    private static Task<bool> IsFocusedAsync(ILocator target) => target.EvaluateAsync<bool>("e => e === document.activeElement");

    private static Task<string> FocusedAsync(IPage page) => page.EvaluateAsync<string>(
        "() => { const e = document.activeElement; return e ? `<${e.tagName.toLowerCase()}${e.id ? ' id=' + e.id : ''}> \"${(e.textContent || '').trim().slice(0, 60)}\"` : 'nothing'; }");
}
