// Focus and announcements after htmx swaps. A swap that a person caused (a click or a submit) and that replaced the element
// they were on, or that carries an error or a result, moves focus to the first error, else the result message, else the
// region's heading; its words go to the page's aria-live region. Background swaps (SSE, polling) never take focus: they only
// give it back to the same element (by id) when the refresh replaced the one a person was on.
(function () {
    "use strict";

    var ERROR = "[role='alert'], .alert-error, .field-error";
    // The request indicator is a status too, but hidden once the swap is done: never a target.
    var RESULT = "[data-announce], [role='status']:not(.htmx-indicator), .alert";
    var HEADING = "h1, h2, h3, h4";

    function announce(text) {
        var region = document.getElementById("live-region");
        if (!region || !text) { return; }
        // Emptying first makes a repeated message ("Paused", "Paused") be read again.
        region.textContent = "";
        window.setTimeout(function () { region.textContent = text.replace(/\s+/g, " ").trim(); }, 50);
    }

    function focusOn(element) {
        if (!element) { return; }
        if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
            element.setAttribute("tabindex", "-1");
        }
        element.focus({ preventScroll: false });
    }

    function within(region, selector) {
        if (!region) { return null; }
        return region.matches(selector) ? region : region.querySelector(selector);
    }

    // Per request, so a background swap settling in between never takes another request's state.
    var pending = new WeakMap();

    document.addEventListener("htmx:beforeSwap", function (event) {
        var target = event.detail.target;
        var active = document.activeElement;
        var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
        if (!event.detail.xhr) { return; }
        pending.set(event.detail.xhr, {
            targetId: target && target.id,
            activeId: active && active.id,
            hadFocus: !!(target && active && active !== document.body && target.contains(active)),
            // A click or submit asks for a result; a change (a filter) announces it but leaves focus on the control being used.
            acted: !!trigger && (trigger.type === "click" || trigger.type === "submit"),
            changed: !!trigger && (trigger.type === "change" || trigger.type === "input" || trigger.type === "keyup")
        });
    });

    document.addEventListener("htmx:afterSettle", function (event) {
        var before = event.detail.xhr && pending.get(event.detail.xhr);
        if (!before) { return; }
        pending.delete(event.detail.xhr);
        var region = (before.targetId && document.getElementById(before.targetId)) || event.detail.target;
        var lost = document.activeElement === null || document.activeElement === document.body;

        if (!before.acted) {
            if (before.hadFocus && lost && before.activeId) {
                focusOn(document.getElementById(before.activeId));
            }
            if (before.changed) {
                var said = within(region, ERROR) || within(region, RESULT);
                if (said) { announce(said.textContent); }
            }
            return;
        }

        var error = within(region, ERROR);
        var result = within(region, RESULT);
        var target = error || result || within(region, HEADING);
        if (error || before.hadFocus || lost) {
            focusOn(target || region);
        }
        announce((target || region).textContent);
    });
})();
