#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""An HMI's poll of a PLC (pymodbus client): reads the device identification (43/14) and ten holding registers,
and with --write N also writes register 5 (a setpoint). Exit 0 when the PLC answered. Usage:
modbus_poll.py ADDRESS [--write N]"""
import sys

from pymodbus.client import ModbusTcpClient
from pymodbus.mei_message import ReadDeviceInformationRequest


def main():
    address = sys.argv[1]
    client = ModbusTcpClient(address, port=502, timeout=3, retries=0)
    if not client.connect():
        sys.exit(f"modbus_poll: cannot connect to {address}:502")
    try:
        ident = client.execute(ReadDeviceInformationRequest(read_code=0x02, object_id=0x00, slave=1))
        regs = client.read_holding_registers(0, 10, slave=1)
        if ident.isError() or regs.isError():
            sys.exit(f"modbus_poll: error answers: {ident} {regs}")
        print({k: v.decode() for k, v in ident.information.items()}, regs.registers)
        if len(sys.argv) > 3 and sys.argv[2] == "--write":
            w = client.write_register(5, int(sys.argv[3]), slave=1)
            if w.isError():
                sys.exit(f"modbus_poll: write refused: {w}")
    finally:
        client.close()


if __name__ == "__main__":
    main()
