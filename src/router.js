// The app's navigation (src/router.rs): links are plain <a href>; a click on a link to a
// page of the app becomes history.pushState instead of a page load; the back and forward
// buttons (popstate) are reported too. A wasm-bindgen snippet: no inline script (CSP).
let report = () => {};

function go(to, replace) {
  history[replace ? "replaceState" : "pushState"](null, "", to);
  if (!replace) window.scrollTo(0, 0);
  report(location.pathname + location.search);
}

export function installRouter(onChange) {
  report = onChange;
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target instanceof Element ? e.target.closest("a[href]") : null;
    if (!a || a.target || a.hasAttribute("download")) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
    e.preventDefault();
    go(url.pathname + url.search, false);
  });
  window.addEventListener("popstate", () => report(location.pathname + location.search));
  return location.pathname + location.search;
}

export function navigateTo(to, replace) {
  go(to, replace);
}
