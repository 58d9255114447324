#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A PLC's Modbus/TCP server for the lab (pymodbus): 100 holding registers and coils, and the Read Device
Identification objects (function 43/14) a Modicon M340 answers with. Usage: modbus_plc.py ADDRESS [PORT]"""
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.device import ModbusDeviceIdentification
from pymodbus.server import StartTcpServer


def main():
    address = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 502
    logging.basicConfig(level=logging.CRITICAL)  # pymodbus 3.0 logs every closed connection as an error
    block = ModbusSequentialDataBlock(0, [0] * 100)
    store = ModbusSlaveContext(hr=block, co=ModbusSequentialDataBlock(0, [0] * 100),
                               di=ModbusSequentialDataBlock(0, [0] * 100), ir=ModbusSequentialDataBlock(0, [0] * 100))
    identity = ModbusDeviceIdentification(info_name={
        "VendorName": "Schneider Electric",
        "ProductCode": "BMX P34 2020",
        "MajorMinorRevision": "V3.40",
        "VendorUrl": "http://www.se.com",
        "ProductName": "Modicon M340",
        "ModelName": "BMX P34 2020",
    })
    print(f"modbus_plc: listening on {address}:{port}", flush=True)
    StartTcpServer(context=ModbusServerContext(slaves=store, single=True), identity=identity, address=(address, port))


if __name__ == "__main__":
    main()
