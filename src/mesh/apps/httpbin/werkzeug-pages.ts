// werkzeug's HTML error pages as the image's werkzeug 0.14 writes them (the
// seed's captures): what Flask answers for 400, 404, 405 and an unhandled error.

export const NOT_FOUND_HTML =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server.  If you entered the URL manually please check your spelling and try again.</p>\n';
export const NOT_ALLOWED_HTML =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n' +
  '<p>The method is not allowed for the requested URL.</p>\n';
export const SERVER_ERROR_HTML =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n' +
  '<p>The server encountered an internal error and was unable to complete your request.  Either the server is overloaded or there is an error in the application.</p>\n';

export const BAD_REQUEST_HTML =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n' +
  '<p>The browser (or proxy) sent a request that this server could not understand.</p>\n';
