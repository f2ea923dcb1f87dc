//! How the mock answers a request, in the API's order: rate limit, routing,
//! authentication and scope, query validation, then the body.

use super::*;
use sl_doctor_checks::saleslayer::{INVALID_KEY_DETAIL, NOT_ENABLED_DETAIL};

/// A JSON response.
fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut resp = Response::new(Body::from(body.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn problem(status: StatusCode, kind: &str, title: &str, detail: &str, instance: &str) -> Value {
    json!({
        "type": format!("https://api2.saleslayer.com/errors/{kind}"),
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
        "instance": instance,
    })
}

fn unauthorized(instance: &str) -> Response {
    json_response(
        StatusCode::UNAUTHORIZED,
        &problem(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            "A valid API key is required.",
            instance,
        ),
    )
}

pub(super) async fn handle_request(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let request_id = new_request_id();
    if !shared.delay.is_zero() {
        tokio::time::sleep(shared.delay).await;
    }
    // `$` may arrive percent-encoded; read `%24` as `$` (assumption, see docs/mock.md).
    let raw_path = uri.path();
    let path = if raw_path.contains('%') {
        raw_path.replace("%24", "$")
    } else {
        raw_path.to_string()
    };
    let safe_path = shared.safe_path(&path, &headers);
    let (key, bucket) = shared.classify(&headers);
    let endpoint = Endpoint::route(&path);
    let api = endpoint.map(Endpoint::api).or_else(|| Api::of_path(&path));

    let mut resp = respond(
        &shared,
        &method,
        uri.query(),
        &safe_path,
        endpoint,
        &key,
        bucket.unwrap_or(Bucket::Client(peer.ip())),
    );
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    shared.log(LoggedRequest {
        method: method.as_str().to_string(),
        path: safe_path,
        status: resp.status().as_u16(),
        request_id,
        api,
        key,
    });
    resp
}

/// Answers one request exactly as a running mock would, without a listener, a delay,
/// a rate limit or a log: for `sl-doctor capture`, which reads requests from raw bytes
/// itself. `headers` holds the header values as a hyper server would see them (spaces
/// and tabs around each value removed); `path` is the path without the query string.
pub fn answer(
    keys: &[MockKey],
    base_url: &str,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Response {
    let shared = Shared {
        keys: keys.to_vec(),
        delay: Duration::ZERO,
        rate_limit: None,
        limiter: Mutex::new(HashMap::new()),
        log: Mutex::new(VecDeque::new()),
        base_url: base_url.to_string(),
        hasher: std::hash::RandomState::new(),
    };
    let path = if path.contains('%') {
        path.replace("%24", "$")
    } else {
        path.to_string()
    };
    let safe_path = shared.safe_path(&path, headers);
    let (key, _) = shared.classify(headers);
    let endpoint = Endpoint::route(&path);
    let mut resp = respond(
        &shared,
        method,
        query,
        &safe_path,
        endpoint,
        &key,
        Bucket::Client(IpAddr::V4(Ipv4Addr::LOCALHOST)),
    );
    if let Ok(v) = HeaderValue::from_str(&new_request_id()) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    resp
}

fn respond(
    shared: &Shared,
    method: &Method,
    query: Option<&str>,
    safe_path: &str,
    endpoint: Option<Endpoint>,
    key: &KeySeen,
    bucket: Bucket,
) -> Response {
    let instance = instance_of(safe_path);
    // In the API's order: rate limit, routing, authentication, query validation.
    if let Some(secs) = shared.rate_limited(bucket) {
        return too_many_requests(shared, secs, instance);
    }
    let endpoint = match route(method, safe_path, endpoint, instance) {
        Ok(e) => e,
        Err(resp) => return *resp,
    };
    let api = endpoint.api();
    if let Some(refused) = authenticate(key, api, instance) {
        return refused;
    }
    let paging = match Paging::parse(query) {
        Ok(p) => p,
        Err(failures) => return validation_error(api, instance, failures),
    };
    json_response(StatusCode::OK, &body(shared, endpoint, safe_path, &paging))
}

/// 429 with `Retry-After` (per key value, or per client IP without a key).
fn too_many_requests(shared: &Shared, secs: u64, instance: &str) -> Response {
    let (n, window) = shared.rate_limit.unwrap_or(DOCUMENTED_RATE_LIMIT);
    let detail = format!(
        "Rate limit exceeded: at most {n} requests per {} seconds. Retry after {secs} seconds.",
        window.as_secs_f64()
    );
    let mut resp = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        &problem(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-requests",
            "Too Many Requests",
            &detail,
            instance,
        ),
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
}

/// Routing: anything not served is 404 and anything but GET/HEAD is 405, whatever the key.
fn route(
    method: &Method,
    safe_path: &str,
    endpoint: Option<Endpoint>,
    instance: &str,
) -> Result<Endpoint, Box<Response>> {
    let Some(endpoint) = endpoint else {
        let detail = if safe_path.starts_with("/rest/Catalog") {
            "Resource not found. (sl-doctor mock: the Catalog API is served under /catalog/rest/Catalog/.)"
        } else {
            "Resource not found."
        };
        return Err(Box::new(json_response(
            StatusCode::NOT_FOUND,
            &problem(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not Found",
                detail,
                instance,
            ),
        )));
    };
    if method != Method::GET && method != Method::HEAD {
        let mut resp = json_response(
            StatusCode::METHOD_NOT_ALLOWED,
            &problem(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method Not Allowed",
                "The sl-doctor mock only serves read-only GET requests.",
                instance,
            ),
        );
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Err(Box::new(resp));
    }
    Ok(endpoint)
}

/// Authentication and per-API scope: the refusal each API gives (its documented status,
/// `saleslayer::Api::refusals`), or `None` to serve.
fn authenticate(key: &KeySeen, api: Api, instance: &str) -> Option<Response> {
    let refusals = api.refusals();
    match key {
        KeySeen::Missing | KeySeen::Empty => Some(refusal(refusals.missing_key, instance)),
        KeySeen::Unknown { .. } | KeySeen::Revoked { .. } | KeySeen::Multiple => {
            Some(refusal(refusals.invalid_key, instance))
        }
        KeySeen::Known { scope, .. } if !scope.allows(api) => {
            Some(refusal(refusals.not_enabled, instance))
        }
        KeySeen::Known { .. } => None,
    }
}

/// A refusal of the key with its problem details: 401 "A valid API key is required.",
/// DAM's 400 "Invalid API key.", Catalog's 403 "Feature disabled for the tenant.".
fn refusal(status: u16, instance: &str) -> Response {
    let (status, kind, detail) = match status {
        400 => (StatusCode::BAD_REQUEST, "validation", INVALID_KEY_DETAIL),
        403 => (StatusCode::FORBIDDEN, "forbidden", NOT_ENABLED_DETAIL),
        _ => return unauthorized(instance),
    };
    let title = status.canonical_reason().unwrap_or_default();
    json_response(status, &problem(status, kind, title, detail, instance))
}

/// The body of a served endpoint.
fn body(shared: &Shared, endpoint: Endpoint, safe_path: &str, paging: &Paging) -> Value {
    match endpoint {
        Endpoint::DamImages => data::dam_images(paging),
        Endpoint::CatalogMetadata => data::catalog_metadata(),
        Endpoint::CatalogCategoriesMetadata => data::categories_metadata(),
        Endpoint::CatalogProducts => {
            data::catalog_list(&shared.base_url, safe_path, data::products(), paging)
        }
        Endpoint::CatalogCategories => {
            data::catalog_list(&shared.base_url, safe_path, data::categories(), paging)
        }
        Endpoint::CatalogVariants => {
            data::catalog_list(&shared.base_url, safe_path, data::variants(), paging)
        }
    }
}

/// One failed query parameter.
struct Failure {
    name: &'static str,
    message: &'static str,
    /// The attempted value, only when it is a plain integer (never echo free text:
    /// a misplaced key could be in it).
    attempted: Option<i64>,
}

/// `$top` / `$skip` of a list request.
pub(super) struct Paging {
    pub(super) top: Option<usize>,
    pub(super) skip: usize,
}

impl Paging {
    fn parse(query: Option<&str>) -> Result<Paging, Vec<Failure>> {
        let mut paging = Paging { top: None, skip: 0 };
        let mut failures = Vec::new();
        for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let parsed = value.trim().parse::<i64>().ok();
            match name.as_ref() {
                "$top" => match parsed {
                    Some(n @ 1..=100) => paging.top = Some(n as usize),
                    _ => failures.push(Failure {
                        name: "$top",
                        message: "'$top' must be an integer between 1 and 100.",
                        attempted: parsed,
                    }),
                },
                "$skip" => match parsed {
                    Some(n) if n >= 0 => paging.skip = n as usize,
                    _ => failures.push(Failure {
                        name: "$skip",
                        message: "'$skip' must be an integer greater than or equal to 0.",
                        attempted: parsed,
                    }),
                },
                _ => {}
            }
        }
        if failures.is_empty() {
            Ok(paging)
        } else {
            Err(failures)
        }
    }
}

/// DAM: a ProblemDetails 400 (DAMERR) with a `validationFailures` extension (ERR's
/// generic shape). Catalog: the reference's `validationFailures` map of
/// `{PropertyName, ErrorMessage, AttemptedValue}` objects.
fn validation_error(api: Api, instance: &str, failures: Vec<Failure>) -> Response {
    let body = match api {
        Api::Dam => {
            let mut p = problem(
                StatusCode::BAD_REQUEST,
                "validation",
                "Bad Request",
                "The request is invalid.",
                instance,
            );
            let mut map = serde_json::Map::new();
            for f in &failures {
                map.insert(f.name.to_string(), json!([f.message]));
            }
            p["validationFailures"] = Value::Object(map);
            p
        }
        Api::Catalog => {
            let mut map = serde_json::Map::new();
            for f in &failures {
                map.insert(
                    f.name.to_string(),
                    json!([{
                        "PropertyName": f.name,
                        "ErrorMessage": f.message,
                        "AttemptedValue": f.attempted,
                    }]),
                );
            }
            json!({ "validationFailures": map })
        }
    };
    json_response(StatusCode::BAD_REQUEST, &body)
}
