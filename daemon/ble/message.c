/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "message.h"

#include <errno.h>
#include <string.h>

#include "code-name.h"
#include "macro.h"

bool ble_op_is_request(uint8_t op) {
        return op >= BLE_OP_STATUS && op <= BLE_OP_REQUEST_MAX;
}

bool ble_op_is_response(uint8_t op) {
        return op == BLE_OP_ERROR || (op & BLE_OP_RESPONSE && ble_op_is_request(op & ~BLE_OP_RESPONSE));
}

bool ble_op_needs_challenge(uint8_t op) {
        switch (op) {
        case BLE_OP_UNLOCK:
        case BLE_OP_LOCK:
        case BLE_OP_CODE_ADD:
        case BLE_OP_CODE_EDIT:
        case BLE_OP_CODE_REMOVE:
        case BLE_OP_CODE_ENABLE:
        case BLE_OP_CODE_DISABLE:
        case BLE_OP_EMERGENCY_CODE:
        case BLE_OP_PHONE_REMOVE:
        case BLE_OP_TIME_SYNC:
                return true;
        default:
                return false;
        }
}
