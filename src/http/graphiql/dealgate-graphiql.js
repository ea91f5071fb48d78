// dealgate's GraphiQL: the schema is fetched with the headers typed in the Headers tab and
// fetched again when they change, until it loads; while it cannot load, a banner above the
// editor explains where the API key goes. Everything comes from this server.
(function () {
  'use strict';
  var PLACEHOLDER = '{\n  "X-API-KEY": "paste your API key here"\n}';
  var help = document.getElementById('key-help');
  var helpError = document.getElementById('key-error');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var base = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.origin).toString() });
  var state = { headers: PLACEHOLDER, schemaLoaded: false, generation: 0, retry: null };

  function showHelp(message) {
    help.hidden = !message;
    helpError.textContent = message ? 'The server said: ' + message : '';
  }

  // Watches the introspection answers: they tell whether the key works.
  function fetcher(params, options) {
    var result = base(params, options);
    if (params && params.operationName === 'IntrospectionQuery' && result && result.then) {
      result.then(function (answer) {
        var failed = !answer || !answer.data;
        state.schemaLoaded = !failed;
        var error = answer && answer.errors && answer.errors[0];
        showHelp(failed ? (error && error.message) || 'no schema' : null);
      }, function (err) {
        state.schemaLoaded = false;
        showHelp(String(err));
      });
    }
    return result;
  }

  // GraphiQL fetches the schema once, when it mounts: mounting it again with the headers
  // just typed fetches it with them. The query and tabs are kept by GraphiQL's own storage.
  function onEditHeaders(headers) {
    state.headers = headers;
    if (state.schemaLoaded) return;
    clearTimeout(state.retry);
    state.retry = setTimeout(function () {
      state.generation += 1;
      render();
    }, 700);
  }

  function render() {
    root.render(React.createElement(GraphiQL, {
      key: state.generation,
      fetcher: fetcher,
      headers: state.headers,
      onEditHeaders: onEditHeaders,
      defaultEditorToolsVisibility: 'headers',
      shouldPersistHeaders: false,
    }));
  }

  render();
})();
