/* Weiyi's service worker: pages of the community a resident opened stay readable without a network.
   Pages: network first, the saved copy only when the network fails, never one sent with
   Cache-Control: no-store; the saved pages are dropped on logout. Forms are never replayed. */
"use strict";
var SHELL = "weiyi-shell-1", PAGES = "weiyi-pages";
var SHELL_URLS = ["/", "/offline", "/static/style.css", "/static/offline.js", "/static/draft.js", "/static/icons/icon.svg"];
var clearing = Promise.resolve();

function forget() {
  clearing = caches.delete(PAGES);
  return clearing;
}

self.addEventListener("install", function (event) {
  // Fetched without cookies: the shell holds no one's data, so it may outlive a logout.
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(SHELL_URLS.map(function (url) { return new Request(url, { credentials: "omit" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key !== SHELL && key !== PAGES; })
      .map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  if (event.data === "forget") { event.waitUntil(forget()); }
});

function keepable(response) {
  return response.ok && response.type === "basic" && !response.redirected &&
    /^text\/html/.test(response.headers.get("Content-Type")) &&
    !/no-store/i.test(response.headers.get("Cache-Control") || "");
}

// The saved copy says it is one: offline.js shows the banner on <html data-offline>.
function marked(response) {
  var headers = new Headers(response.headers);
  headers.delete("Content-Length");  // the body grows by the mark
  return response.text().then(function (html) {
    return new Response(html.replace("<html ", '<html data-offline="1" '), { status: 200, headers: headers });
  });
}

function page(event, path) {
  var request = event.request;
  return fetch(request).then(function (response) {
    if (keepable(response) && path !== "/offline") {
      var copy = response.clone();
      event.waitUntil(clearing.then(function () { return caches.open(PAGES); })
        .then(function (cache) { return cache.put(request, copy); }));
    }
    return response;
  }, function () {
    return caches.open(PAGES).then(function (cache) { return cache.match(request, { ignoreVary: true }); })
      .then(function (hit) { return hit || caches.open(SHELL).then(function (shell) {
        return shell.match(path === "/" ? "/" : "/offline", { ignoreVary: true }); }); })
      .then(function (hit) { return hit ? marked(hit) : Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url), path = url.pathname;
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && path === "/auth/logout") { event.waitUntil(forget()); return; }
  if (request.method !== "GET") { return; }
  if (request.mode === "navigate") {
    if (path === "/" || path === "/offline" || path.indexOf("/c/") === 0) { event.respondWith(page(event, path)); }
  } else if (path.indexOf("/static/") === 0) {  // no one's data: kept as fetched, for saved pages to use
    event.respondWith(fetch(request).then(function (response) {
      var copy = response.clone();
      if (response.status === 200) { event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.put(request, copy); })); }
      return response;
    }, function () {
      // any saved copy of the file: pages link it with ?v=<its hash>, the shell saved it without
      return caches.match(request, { cacheName: SHELL, ignoreSearch: true }).then(function (hit) { return hit || Response.error(); });
    }));
  }
});
