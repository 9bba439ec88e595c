// The inbox's only script: local times, the ticking virtual clock, live regions over
// Server-Sent Events, and forms posted with the header that marks them as this page's own.
"use strict";
(() => {
  const format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
  });

  // Times arrive in UTC; show them in the viewer's time zone (UTC stays in the tooltip).
  function localize(root) {
    for (const time of root.querySelectorAll("time[datetime]")) {
      const when = new Date(time.getAttribute("datetime"));
      if (!Number.isNaN(when.getTime())) {
        time.title = when.toISOString();
        time.textContent = format.format(when);
      }
    }
  }

  // The virtual clock runs at its speed from the moment it was rendered.
  let clock = null;
  function startClock() {
    const holder = document.querySelector("[data-clock]");
    const time = holder && holder.querySelector("time");
    clock = time && {
      time,
      start: new Date(time.getAttribute("datetime")).getTime(),
      speed: Number(holder.dataset.speed || "1"),
      shown: performance.now(),
    };
  }
  setInterval(() => {
    if (clock && clock.speed > 0) {
      const now = clock.start + (performance.now() - clock.shown) * clock.speed;
      clock.time.textContent = format.format(new Date(now));
    }
  }, 1000);

  function notify(text) {
    const notice = document.getElementById("notice");
    if (notice) notice.textContent = text;
  }

  // Replace a region with its newer rendering, keeping keyboard focus where it was.
  function apply(regions) {
    for (const [name, html] of Object.entries(regions)) {
      const region = document.querySelector(`[data-region="${name}"]`);
      if (!region) continue;
      const focused = document.activeElement;
      const refocus = focused && region.contains(focused) && focused.id;
      region.innerHTML = html;
      localize(region);
      if (name === "clock") startClock();
      if (refocus) {
        const again = document.getElementById(refocus);
        if (again) again.focus();
      }
    }
    document.body.dataset.updated = String(Date.now());
  }

  function listen() {
    const url = document.body.dataset.events;
    if (!url || !window.EventSource) return;
    const source = new EventSource(url);
    source.addEventListener("open", () => { document.body.dataset.live = "on"; });
    source.addEventListener("error", () => { document.body.dataset.live = "reconnecting"; });
    source.addEventListener("regions", (event) => apply(JSON.parse(event.data)));
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-action")) return;
    event.preventDefault();
    const result = form.querySelector(".result");
    const data = new URLSearchParams(new FormData(form, event.submitter));
    let text;
    let failed = false;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Flowroute-Inbox": "1", Accept: "application/json" },
      });
      const answer = await response.json().catch(() => ({}));
      failed = !response.ok;
      text = failed
        ? (answer.errors && answer.errors[0] && answer.errors[0].detail) || `Failed (${response.status}).`
        : answer.notice || "Done.";
    } catch (error) {
      failed = true;
      text = "The sandbox did not answer.";
    }
    if (result) {
      result.textContent = text;
      result.classList.toggle("error", failed);
    }
    notify(text);
    if (!failed) {
      for (const field of form.querySelectorAll("textarea, input[name=media_url]")) field.value = "";
    }
  });

  localize(document);
  startClock();
  listen();
})();
