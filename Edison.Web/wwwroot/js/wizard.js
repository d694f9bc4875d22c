// After htmx swaps a wizard step in, move focus to the step's heading so keyboard and screen-reader users start at the top
// of the new step; after an assist answer arrives, focus its first button so it can be accepted without hunting for it.
document.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail.target;
    if (!target || !target.id) {
        return;
    }
    if (target.id === "wizard") {
        const problem = target.querySelector("[aria-invalid='true']");
        const heading = document.getElementById("wizard-heading");
        (problem || heading)?.focus();
        return;
    }
    const swapped = document.getElementById(target.id);
    if (swapped && swapped.classList.contains("assist-panel") && swapped.classList.contains("done")) {
        swapped.querySelector("button, [role='alert']")?.focus?.();
    }
});
