/* A header the fixture includes, with an error of its own. */
typedef __u32 __bitwise bt_handle_t;
extern bt_missing_t bt_value;
