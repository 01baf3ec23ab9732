/* The framework's own version, reported in GET /api/status. */
export const FRAMEWORK_VERSION = "0.1.0";
